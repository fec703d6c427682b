import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { orderNotification } from './notification.entity.ts';
import { NotificationsRepository } from './notifications.repository.ts';
import { RecordOrderNotificationCommand } from './record-order-notification.command.ts';

/**
 * Records an order's email for the mail dispatcher to send; it never sends here, since this
 * transaction may yet fail and be retried. The customer need not be known yet (user.created can
 * come later): the email then waits, unclaimed, until their address arrives.
 */
@CommandHandler(RecordOrderNotificationCommand)
export class RecordOrderNotificationHandler implements ICommandHandler<RecordOrderNotificationCommand> {
  constructor(private readonly notifications: NotificationsRepository) {}

  execute({ event, tx }: RecordOrderNotificationCommand): Promise<boolean> {
    return this.notifications.record(tx, orderNotification(event));
  }
}
