import {
  applyDecorators,
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  SetMetadata,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import {
  ACCESS_TOKEN_KEYS,
  type AccessTokenKeys,
  type AuthenticatedUser,
  AccessTokenKeysUnavailableError,
  InvalidAccessTokenError,
  verifyAccessToken,
} from './access-token.ts';

const ROLES = Symbol('roles');
const QUERY_TOKEN = Symbol('query token');

interface AuthenticatedRequest extends Request {
  user?: AuthenticatedUser;
}

function bearerToken(request: Request, allowQuery: boolean): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1];
  }
  const query = request.query.access_token;
  return allowQuery && typeof query === 'string' ? query : undefined;
}

/** Refuses a request without a valid access token (401), or without one of the required roles (403). */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    @Inject(ACCESS_TOKEN_KEYS) private readonly keys: AccessTokenKeys,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    const allowQuery = this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN, targets) ?? false;
    const token = bearerToken(request, allowQuery);
    if (!token) this.refuse(context, 'An access token is required (Authorization: Bearer <token>).');
    try {
      request.user = await verifyAccessToken(token!, this.keys);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) this.refuse(context, error.message);
      if (error instanceof AccessTokenKeysUnavailableError) {
        throw new ServiceUnavailableException(`${error.message} Try again shortly.`, { cause: error });
      }
      throw error;
    }
    const required = this.reflector.getAllAndOverride<string[]>(ROLES, targets) ?? [];
    if (required.length > 0 && !required.some((role) => request.user!.roles.includes(role))) {
      throw new ForbiddenException(`This needs the role ${required.join(' or ')}.`);
    }
    return true;
  }

  private refuse(context: ExecutionContext, detail: string): never {
    context.switchToHttp().getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(detail);
  }
}

/**
 * The route (or every route of the controller) needs a valid access token, and one of `roles`
 * when given. `queryToken` also accepts `?access_token=` (for EventSource, which cannot set headers).
 */
export function Authenticated(
  options: { roles?: string[]; queryToken?: boolean } = {},
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES, options.roles ?? []),
    SetMetadata(QUERY_TOKEN, options.queryToken ?? false),
    UseGuards(AccessTokenGuard),
  );
}

/** The verified caller of an @Authenticated route. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<AuthenticatedRequest>().user;
  if (!user) throw new Error('CurrentUser used on a route without @Authenticated()');
  return user;
});

/** True when the caller may see every customer's data. */
export function isAdmin(user: AuthenticatedUser): boolean {
  return user.roles.includes('admin');
}
