import { Command } from '@nestjs/cqrs';
import type { NotificationTransaction } from '../notification.database.ts';
import type { OrderEvent } from './notification.entity.ts';

/**
 * Record the email an order event makes (received, confirmed or cancelled), in `tx`: the event's
 * transaction, which also holds its inbox row. Yields false when that email was recorded before.
 */
export class RecordOrderNotificationCommand extends Command<boolean> {
  constructor(
    readonly event: OrderEvent,
    readonly tx: NotificationTransaction,
  ) {
    super();
  }
}
