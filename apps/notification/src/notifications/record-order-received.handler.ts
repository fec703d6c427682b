import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Injectable } from '@nestjs/common';
import type { NotificationTransaction } from '../notification.database.ts';
import { orderReceivedEmail } from './email-content.ts';
import { NotificationsRepository } from './notifications.repository.ts';

/** order.placed: records the "order received" email to the customer. */
@Injectable()
@HandlesEvent('order.placed')
export class RecordOrderReceivedHandler implements EventHandler<'order.placed', NotificationTransaction> {
  constructor(private readonly notifications: NotificationsRepository) {}

  async handle(event: EventOf<'order.placed'>, tx: NotificationTransaction): Promise<void> {
    // The customer may not be known yet (user.created can come later): the email then waits for them.
    await this.notifications.record(tx, {
      userId: event.data.customerId,
      type: 'ORDER_RECEIVED',
      orderId: event.data.orderId,
      ...orderReceivedEmail(event.data),
    });
  }
}
