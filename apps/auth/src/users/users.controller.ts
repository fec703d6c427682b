import { Authenticated, type AuthenticatedUser, CurrentUser, ZodPipe } from '@commerce/platform';
import { Body, Controller, Get, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { z } from 'zod';
import { GetCurrentUserQuery } from './get-current-user.query.ts';
import { RegisterUserCommand } from './register-user.command.ts';
import { CUSTOMER, email, password } from './user.entity.ts';

const RegisterBody = z.strictObject({
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
  register(@Body(new ZodPipe(RegisterBody)) body: z.infer<typeof RegisterBody>) {
    return this.commands.execute(new RegisterUserCommand(body.email, body.name, body.password, [CUSTOMER]));
  }

  @Get('me')
  @Authenticated()
  me(@CurrentUser() caller: AuthenticatedUser) {
    return this.queries.execute(new GetCurrentUserQuery(caller.id));
  }
}
