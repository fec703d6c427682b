import { Outbox } from '@commerce/outbox';
import { ConflictException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AuthDatabase } from '../auth.database.ts';
import { hashPassword } from './passwords.ts';
import { RegisterUserCommand } from './register-user.command.ts';
import { RegistrationThrottle, TooManyRegistrationsException } from './registration-throttle.ts';
import type { User } from './user.entity.ts';
import { toUserView, type UserView } from './user.view.ts';
import { UsersRepository } from './users.repository.ts';

const EMAIL_TAKEN = 'An account with this email already exists.';

/**
 * Stores the user with its Argon2id password hash and its `user.created` in one transaction.
 * The cheap checks come before the hash: 429 when the address has registered too often, 409 when
 * the email is taken (and again at the insert, for two registrations of one email at once).
 */
@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand> {
  constructor(
    private readonly db: AuthDatabase,
    private readonly users: UsersRepository,
    private readonly outbox: Outbox,
    private readonly throttle: RegistrationThrottle,
  ) {}

  async execute(command: RegisterUserCommand): Promise<UserView> {
    if (command.address !== undefined) {
      const retryAfter = await this.throttle.admit(command.address);
      if (retryAfter > 0) throw new TooManyRegistrationsException(retryAfter);
    }
    if (await this.users.findByEmail(command.email)) throw new ConflictException(EMAIL_TAKEN);
    // Hashed before the transaction: the slow part holds no connection.
    const passwordHash = await hashPassword(command.password);
    const user: User = {
      id: randomUUID(),
      email: command.email,
      name: command.name,
      passwordHash,
      roles: command.roles,
    };
    return this.db.$transaction(async (tx) => {
      if (!(await this.users.insert(tx, user))) {
        throw new ConflictException(EMAIL_TAKEN);
      }
      await this.outbox.add(
        tx,
        this.outbox.event('user.created', { userId: user.id, email: user.email, name: user.name }, user.id),
      );
      return toUserView(user);
    });
  }
}
