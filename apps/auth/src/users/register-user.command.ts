import { Command } from '@nestjs/cqrs';
import type { UserView } from './user.view.ts';

/** Someone registers (a customer), or the start-up creates the configured admin. */
export class RegisterUserCommand extends Command<UserView> {
  constructor(
    /** Already normalised (trimmed, lower-cased). */
    readonly email: string,
    readonly name: string,
    readonly password: string,
    readonly roles: string[],
    /** The client's address, whose registrations are limited; none for the configured admin. */
    readonly address?: string,
  ) {
    super();
  }
}
