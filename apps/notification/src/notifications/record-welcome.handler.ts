import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Injectable } from '@nestjs/common';
import type { NotificationTransaction } from '../notification.database.ts';
import { UsersRepository } from '../users/users.repository.ts';
import { welcomeEmail } from './email-content.ts';
import { NotificationsRepository } from './notifications.repository.ts';

/** user.created: keeps the user's address and records their one welcome email. */
@Injectable()
@HandlesEvent('user.created')
export class RecordWelcomeHandler implements EventHandler<'user.created', NotificationTransaction> {
  constructor(
    private readonly users: UsersRepository,
    private readonly notifications: NotificationsRepository,
  ) {}

  async handle(event: EventOf<'user.created'>, tx: NotificationTransaction): Promise<void> {
    await this.users.remember(tx, event.data);
    // A repeated user.created (even under a new event id) meets the one-welcome-per-user index.
    await this.notifications.record(tx, {
      userId: event.data.userId,
      type: 'WELCOME',
      orderId: null,
      ...welcomeEmail(event.data),
    });
  }
}
