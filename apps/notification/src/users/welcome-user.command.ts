import type { UserCreatedV1 } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { NotificationTransaction } from '../notification.database.ts';

/** A user has joined: keep their address and record their one welcome email, in `tx` (the event's transaction). */
export class WelcomeUserCommand extends Command<void> {
  constructor(
    readonly user: UserCreatedV1,
    readonly tx: NotificationTransaction,
  ) {
    super();
  }
}
