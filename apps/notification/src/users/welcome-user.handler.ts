import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { welcomeNotification } from '../notifications/notification.entity.ts';
import { NotificationsRepository } from '../notifications/notifications.repository.ts';
import { UsersRepository } from './users.repository.ts';
import { WelcomeUserCommand } from './welcome-user.command.ts';

/**
 * Keeps the user's address (the users copy, which also releases any order email that waited for
 * it) and records their welcome email, both in the event's transaction.
 */
@CommandHandler(WelcomeUserCommand)
export class WelcomeUserHandler implements ICommandHandler<WelcomeUserCommand> {
  constructor(
    private readonly users: UsersRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  async execute({ user, tx }: WelcomeUserCommand): Promise<void> {
    await this.users.remember(tx, user);
    // A repeated user.created (even under a new event id) meets the one-welcome-per-user index.
    await this.notifications.record(tx, welcomeNotification(user));
  }
}
