import { ZodPipe } from '@commerce/platform';
import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { email } from '../users/user.entity.ts';
import { LoginCommand } from './login.command.ts';
import { TooManyLoginAttemptsException } from './login-throttle.ts';
import { LogoutCommand } from './logout.command.ts';
import { RefreshSessionCommand } from './refresh-session.command.ts';

export const LoginBody = z.strictObject({ email, password: z.string().min(1).max(256) });
export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });

/** Login, refresh and logout (docs/contract.md, auth): access tokens from passwords, and refresh tokens that rotate. */
@Controller()
export class SessionsController {
  constructor(private readonly commands: CommandBus) {}

  @Post('login')
  @HttpCode(200)
  async login(
    @Body(new ZodPipe(LoginBody)) body: z.infer<typeof LoginBody>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    try {
      return await this.commands.execute(new LoginCommand(body.email, body.password, req.ip ?? 'unknown'));
    } catch (error) {
      // The problem body comes from the exception; the header only HTTP can carry.
      if (error instanceof TooManyLoginAttemptsException) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
      }
      throw error;
    }
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body(new ZodPipe(RefreshBody)) body: z.infer<typeof RefreshBody>) {
    return this.commands.execute(new RefreshSessionCommand(body.refreshToken));
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body(new ZodPipe(RefreshBody)) body: z.infer<typeof RefreshBody>): Promise<void> {
    await this.commands.execute(new LogoutCommand(body.refreshToken));
  }
}
