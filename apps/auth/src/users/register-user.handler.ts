import { Outbox } from '@commerce/outbox';
import { ConflictException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { AuthDatabase } from '../auth.database.ts';
import { hashPassword } from './passwords.ts';
import { RegisterUserCommand } from './register-user.command.ts';
import type { User } from './user.entity.ts';
import { toUserView, type UserView } from './user.view.ts';
import { UsersRepository } from './users.repository.ts';

/**
 * Stores the user with its Argon2id password hash and its `user.created` in one transaction;
 * 409 when the email is taken.
 */
@CommandHandler(RegisterUserCommand)
export class RegisterUserHandler implements ICommandHandler<RegisterUserCommand> {
  constructor(
    private readonly db: AuthDatabase,
    private readonly users: UsersRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute(command: RegisterUserCommand): Promise<UserView> {
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
        throw new ConflictException('An account with this email already exists.');
      }
      await this.outbox.add(
        tx,
        this.outbox.event('user.created', { userId: user.id, email: user.email, name: user.name }, user.id),
      );
      return toUserView(user);
    });
  }
}
