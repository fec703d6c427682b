import type { EventOf, UserCreatedV1 } from '@commerce/contracts';
import { orderCancelledEmail, orderConfirmedEmail, orderReceivedEmail, welcomeEmail } from './email-content.ts';

/** Why an email is sent. With its order (or, for WELCOME, its user) it names one email only. */
export type NotificationType = 'WELCOME' | 'ORDER_RECEIVED' | 'ORDER_CONFIRMED' | 'ORDER_CANCELLED';

/** An email as a use case records it: to whom, why, and what it says. */
export interface NotificationDraft {
  userId: string;
  type: NotificationType;
  orderId: string | null;
  subject: string;
  body: string;
}

/** The order events that each make one email to the order's customer (docs/contract.md, notification). */
export type OrderEvent = EventOf<'order.placed'> | EventOf<'order.confirmed'> | EventOf<'order.cancelled'>;

/**
 * The email an order event makes. Its (order, type) names it: a redelivery, even under a new event
 * id, makes the same pair and the unique index keeps the first.
 */
export function orderNotification(event: OrderEvent): NotificationDraft {
  const { orderId, customerId: userId } = event.data;
  switch (event.eventType) {
    case 'order.placed':
      return { userId, type: 'ORDER_RECEIVED', orderId, ...orderReceivedEmail(event.data) };
    case 'order.confirmed':
      return { userId, type: 'ORDER_CONFIRMED', orderId, ...orderConfirmedEmail(event.data) };
    case 'order.cancelled':
      return { userId, type: 'ORDER_CANCELLED', orderId, ...orderCancelledEmail(event.data) };
  }
}

/** A new user's welcome email: one per user (a partial unique index on WELCOME rows). */
export function welcomeNotification(user: UserCreatedV1): NotificationDraft {
  return { userId: user.userId, type: 'WELCOME', orderId: null, ...welcomeEmail(user) };
}

// The domain of the Message-ID header. Deterministic, so a resend after a crash carries the same
// Message-ID and a receiving server or mail client can drop the copy.
const MESSAGE_ID_DOMAIN = 'commerce.local';

/** The Message-ID header of a notification's email: `<id@commerce.local>`. */
export function messageIdOf(notificationId: string): string {
  return `<${notificationId}@${MESSAGE_ID_DOMAIN}>`;
}
