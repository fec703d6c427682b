import type { EventType } from './envelope.ts';
import type { ServiceName } from './services.ts';

/** Who publishes an event type, what its message key is, and who consumes it. */
export interface EventFlow {
  /** What happened, in a line. */
  summary: string;
  /** The one app that publishes it, through its outbox. */
  publisher: ServiceName;
  /** The field of the data whose value is the message key (and the envelope's aggregateId). */
  key: string;
  /** The apps that consume it, each in its own consumer group (named as the app), and what each does. */
  consumers: Partial<Record<ServiceName, string>>;
}

/**
 * The choreography of docs/contract.md as data: the AsyncAPI document and the picture in
 * docs/events.md are generated from it, and a test of tools/docs holds it to the apps'
 * `OutboxModule.forRoot({ produces })` and `@EventPattern` handlers, so it cannot drift from them.
 */
export const EVENT_FLOWS = {
  'user.created': {
    summary: 'A user registered (or the administrator was bootstrapped).',
    publisher: 'auth',
    key: 'userId',
    consumers: { notification: 'keeps the user; one welcome email' },
  },
  'session.ended': {
    summary: 'A login session ended: its holder logged out, or its refresh token family was revoked on reuse.',
    publisher: 'auth',
    key: 'sessionId',
    consumers: { notification: "ends the session's open notification streams on every replica" },
  },
  'product.upserted': {
    summary: 'A product was created, or its name or price changed.',
    publisher: 'inventory',
    key: 'sku',
    consumers: { order: 'keeps its catalog copy (an older event never overwrites a newer one)' },
  },
  'order.placed': {
    summary: 'A customer placed an order; it is PENDING until inventory and payment answer.',
    publisher: 'order',
    key: 'orderId',
    consumers: {
      inventory: 'reserves all items or none: inventory.reserved or inventory.rejected',
      payment: 'authorizes the total: payment.authorized or payment.failed',
      notification: '"order received" email',
    },
  },
  'inventory.reserved': {
    summary: 'Every item of an order is held for it.',
    publisher: 'inventory',
    key: 'orderId',
    consumers: { order: 'PENDING → CONFIRMED once authorized too' },
  },
  'inventory.rejected': {
    summary: 'An order cannot be reserved: a sku is unknown or out of stock.',
    publisher: 'inventory',
    key: 'orderId',
    consumers: { order: 'PENDING → CANCELLED (OUT_OF_STOCK or UNKNOWN_SKU)' },
  },
  'inventory.released': {
    summary: "A cancelled order's reservation went back to available stock.",
    publisher: 'inventory',
    key: 'orderId',
    consumers: {},
  },
  'payment.authorized': {
    summary: "An order's total is authorized on the customer's card.",
    publisher: 'payment',
    key: 'orderId',
    consumers: { order: 'PENDING → CONFIRMED once reserved too' },
  },
  'payment.failed': {
    summary: "An order's total could not be authorized.",
    publisher: 'payment',
    key: 'orderId',
    consumers: { order: 'PENDING → CANCELLED (PAYMENT_DECLINED)' },
  },
  'payment.captured': {
    summary: "A confirmed order's authorization was captured.",
    publisher: 'payment',
    key: 'orderId',
    consumers: {},
  },
  'payment.voided': {
    summary: "A cancelled order's authorization was voided.",
    publisher: 'payment',
    key: 'orderId',
    consumers: {},
  },
  'order.confirmed': {
    summary: 'An order is reserved and authorized: it is CONFIRMED.',
    publisher: 'order',
    key: 'orderId',
    consumers: {
      inventory: 'the reservation is sold',
      payment: 'captures: payment.captured',
      notification: '"confirmed" email',
    },
  },
  'order.cancelled': {
    summary: 'An order is CANCELLED: rejected, declined, cancelled by its customer or past its settle deadline.',
    publisher: 'order',
    key: 'orderId',
    consumers: {
      inventory: 'releases a reservation (inventory.released), or leaves a tombstone',
      payment: 'voids by reference (payment.voided), or leaves a tombstone',
      notification: '"cancelled" email with the reason',
    },
  },
} as const satisfies Record<EventType, EventFlow>;
