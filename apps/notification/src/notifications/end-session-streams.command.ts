import type { SessionEndedV1 } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { NotificationTransaction } from '../notification.database.ts';

/**
 * A login session ended (auth's `session.ended`): record it and announce it in `tx`, the event's
 * transaction, so every replica ends the session's open streams once it commits.
 */
export class EndSessionStreamsCommand extends Command<void> {
  constructor(
    readonly ended: SessionEndedV1,
    readonly tx: NotificationTransaction,
  ) {
    super();
  }
}
