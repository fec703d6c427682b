import { Authenticated, type AuthenticatedUser, CurrentUser, ZodPipe } from '@commerce/platform';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { GetCurrentUserQuery } from './get-current-user.query.ts';
import { RegisterUserCommand } from './register-user.command.ts';
import { TooManyRegistrationsException } from './registration-throttle.ts';
import { CUSTOMER, email, password } from './user.entity.ts';

export const RegisterBody = z.strictObject({
  email,
  password,
  name: z.string().trim().min(1, 'is required').max(200),
});

/** Registration and the caller's own profile (docs/contract.md, auth). */
@Controller()
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('register')
  async register(
    @Body(new ZodPipe(RegisterBody)) body: z.infer<typeof RegisterBody>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      return await this.commands.execute(
        new RegisterUserCommand(body.email, body.name, body.password, [CUSTOMER], req.ip ?? 'unknown'),
      );
    } catch (error) {
      // The problem body comes from the exception; the header only HTTP can carry.
      if (error instanceof TooManyRegistrationsException) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      throw error;
    }
  }

  @Get('me')
  @Authenticated()
  me(@CurrentUser() caller: AuthenticatedUser) {
    return this.queries.execute(new GetCurrentUserQuery(caller.id));
  }
}
