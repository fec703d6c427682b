import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Injectable } from '@nestjs/common';
import type { NotificationTransaction } from '../notification.database.ts';
import { orderCancelledEmail } from './email-content.ts';
import { NotificationsRepository } from './notifications.repository.ts';

/** order.cancelled: records the "order cancelled" email to the customer, saying why. */
@Injectable()
@HandlesEvent('order.cancelled')
export class RecordOrderCancelledHandler implements EventHandler<'order.cancelled', NotificationTransaction> {
  constructor(private readonly notifications: NotificationsRepository) {}

  async handle(event: EventOf<'order.cancelled'>, tx: NotificationTransaction): Promise<void> {
    await this.notifications.record(tx, {
      userId: event.data.customerId,
      type: 'ORDER_CANCELLED',
      orderId: event.data.orderId,
      ...orderCancelledEmail(event.data),
    });
  }
}
