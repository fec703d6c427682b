import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Injectable } from '@nestjs/common';
import type { NotificationTransaction } from '../notification.database.ts';
import { orderConfirmedEmail } from './email-content.ts';
import { NotificationsRepository } from './notifications.repository.ts';

/** order.confirmed: records the "order confirmed" email to the customer. */
@Injectable()
@HandlesEvent('order.confirmed')
export class RecordOrderConfirmedHandler implements EventHandler<'order.confirmed', NotificationTransaction> {
  constructor(private readonly notifications: NotificationsRepository) {}

  async handle(event: EventOf<'order.confirmed'>, tx: NotificationTransaction): Promise<void> {
    await this.notifications.record(tx, {
      userId: event.data.customerId,
      type: 'ORDER_CONFIRMED',
      orderId: event.data.orderId,
      ...orderConfirmedEmail(event.data),
    });
  }
}
