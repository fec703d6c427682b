import { ZodPipe } from '@commerce/platform';
import {
  Body,
  Controller,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
  Req,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_CONFIG, problem } from '@commerce/platform';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuthConfig } from '../auth.config.ts';
import { SigningKey } from '../keys/signing-key.ts';
import { email } from '../users/user.entity.ts';
import { verifyPassword } from '../users/passwords.ts';
import { UsersRepository } from '../users/users.repository.ts';
import { LoginThrottle } from './login-throttle.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';

const LoginBody = z.strictObject({ email, password: z.string().min(1).max(256) });
const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });

/** A token pair as login and refresh answer it. */
interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const WRONG_CREDENTIALS = 'The email or password is not correct.';

function tooManyAttempts(res: Response, seconds: number): HttpException {
  res.setHeader('Retry-After', String(Math.max(1, seconds)));
  return new HttpException(
    problem(429, `Too many failed logins. Try again in ${Math.max(1, seconds)} seconds.`),
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

/** Login, refresh and logout: access tokens from passwords, and refresh tokens that rotate. */
@Controller()
export class SessionsController {
  constructor(
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
    private readonly throttle: LoginThrottle,
    private readonly key: SigningKey,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodPipe(LoginBody)) body: z.infer<typeof LoginBody>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenPair> {
    const address = req.ip ?? 'unknown';
    const retryAfter = await this.throttle.admit(body.email, address);
    if (retryAfter > 0) throw tooManyAttempts(res, retryAfter);
    const user = await this.users.findByEmail(body.email);
    if (!(await verifyPassword(user?.passwordHash, body.password)) || !user) {
      throw new UnauthorizedException(WRONG_CREDENTIALS);
    }
    await this.throttle.recordSuccess(body.email, address);
    return this.pair(user, await this.refreshTokens.issue(user.id, this.config.REFRESH_TOKEN_TTL_DAYS));
  }

  @Post('refresh')
  @HttpCode(200)
  async refresh(@Body(new ZodPipe(RefreshBody)) body: z.infer<typeof RefreshBody>): Promise<TokenPair> {
    const outcome = await this.refreshTokens.rotate(body.refreshToken, this.config.REFRESH_TOKEN_TTL_DAYS);
    if (outcome.kind === 'reused') {
      throw new UnauthorizedException('This refresh token was already used; every session of its login is revoked.');
    }
    const user = outcome.kind === 'rotated' ? await this.users.findById(outcome.userId) : null;
    if (outcome.kind !== 'rotated' || !user) {
      throw new UnauthorizedException('The refresh token is not valid.');
    }
    return this.pair(user, outcome.token);
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body(new ZodPipe(RefreshBody)) body: z.infer<typeof RefreshBody>): Promise<void> {
    await this.refreshTokens.revoke(body.refreshToken);
  }

  private async pair(user: { id: string; email: string; roles: string[] }, refreshToken: string): Promise<TokenPair> {
    return {
      accessToken: await this.key.sign({ userId: user.id, email: user.email, roles: user.roles }),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.config.ACCESS_TOKEN_TTL_SECONDS,
    };
  }
}
