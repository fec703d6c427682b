import { Authenticated, type AuthenticatedUser, CurrentUser, ZodPipe } from '@commerce/platform';
import { Body, ConflictException, Controller, Get, NotFoundException, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { hashPassword } from './passwords.ts';
import { CUSTOMER, RegisterBody, type UserView } from './user.entity.ts';
import { UsersRepository } from './users.repository.ts';

/** Registration, the caller's own profile, and the gateway's forward-auth check. */
@Controller()
export class UsersController {
  constructor(private readonly users: UsersRepository) {}

  @Post('register')
  async register(@Body(new ZodPipe(RegisterBody)) body: RegisterBody): Promise<UserView> {
    const user = await this.users.create({
      email: body.email,
      name: body.name,
      passwordHash: await hashPassword(body.password),
      roles: [CUSTOMER],
    });
    if (!user) throw new ConflictException('An account with this email already exists.');
    return { id: user.id, email: user.email, name: user.name };
  }

  @Get('me')
  @Authenticated()
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserView & { roles: string[] }> {
    const user = await this.users.findById(caller.id);
    if (!user) throw new NotFoundException('This account no longer exists.');
    return { id: user.id, email: user.email, name: user.name, roles: user.roles };
  }

  /** Traefik's forward-auth target: 200 with the caller in headers, or 401. */
  @Get('verify')
  @Authenticated()
  verify(@CurrentUser() caller: AuthenticatedUser, @Res({ passthrough: true }) res: Response): { id: string } {
    res.setHeader('X-User-Id', caller.id);
    res.setHeader('X-User-Roles', caller.roles.join(','));
    return { id: caller.id };
  }
}
