import type { PaymentStatus } from './payment.entity.ts';

/** The order events payment acts on. */
export const ORDER_EVENTS = ['order.placed', 'order.confirmed', 'order.cancelled'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** What payment knows of an order when one of its events arrives: its payment's status, a tombstone, or nothing. */
export type OrderPaymentState = PaymentStatus | 'TOMBSTONED' | 'UNKNOWN';
export const ORDER_PAYMENT_STATES: readonly OrderPaymentState[] = [
  'UNKNOWN',
  'TOMBSTONED',
  'AUTHORIZED',
  'CAPTURED',
  'VOIDED',
  'FAILED',
];

/**
 * What to do. `retry` throws so the consumer tries again (then dead-letters); `nothing` changes no
 * row and publishes nothing, logged at `level` — `error` for what the choreography rules out;
 * `release` records nothing either, but voids at the provider whatever it holds for the order.
 */
export type PaymentDecision =
  | { action: 'authorize' }
  | { action: 'capture' }
  | { action: 'void' }
  | { action: 'tombstone' }
  | { action: 'release'; why: string }
  | { action: 'retry'; why: string }
  | { action: 'nothing'; why: string; level: 'log' | 'warn' | 'error' };

const nothing = (why: string, level: 'log' | 'warn' | 'error' = 'log'): PaymentDecision => ({
  action: 'nothing',
  why,
  level,
});

/**
 * The payment rules: what an order event does to the order's payment, by the state it finds.
 * They look at state, not arrival order, so a repeat, a late or an early event is harmless.
 */
export function decide(state: OrderPaymentState, event: OrderEvent): PaymentDecision {
  switch (event) {
    case 'order.placed':
      if (state === 'UNKNOWN') return { action: 'authorize' };
      // The cancellation won the race: whatever an attempt of this order.placed got the provider to
      // hold (asked before its row could be recorded) is voided by reference, and nothing is recorded.
      if (state === 'TOMBSTONED')
        return { action: 'release', why: 'the order was cancelled before it was placed here: refused, any hold voided' };
      // A second delivery under another event id: the first one already decided.
      return nothing(`the order already has a ${state} payment`);

    case 'order.confirmed':
      if (state === 'AUTHORIZED') return { action: 'capture' };
      if (state === 'CAPTURED') return nothing('the payment is already captured');
      // Confirmation follows payment.authorized, which is published with the payment row: a missing
      // row is a delivery this app has not caught up with, so waiting (then the DLQ) is the safe side.
      if (state === 'UNKNOWN') return { action: 'retry', why: 'order.confirmed for an order with no payment yet' };
      if (state === 'TOMBSTONED')
        return nothing(
          'order.confirmed for an order cancelled before it was placed: the choreography rules this out',
          'error',
        );
      return nothing(
        `order.confirmed for an order whose payment is ${state}: the choreography rules this out`,
        'error',
      );

    case 'order.cancelled':
      if (state === 'AUTHORIZED') return { action: 'void' };
      // Not known here yet: remembered, and voided by reference, since an order.placed may have got
      // the provider to hold money before its row was recorded (payment asks first, then records).
      if (state === 'UNKNOWN') return { action: 'tombstone' };
      // Taking money back is a refund, a person's decision, not an automatic void.
      if (state === 'CAPTURED')
        return nothing('order.cancelled for a CAPTURED payment: the choreography rules this out', 'error');
      return nothing(state === 'TOMBSTONED' ? 'the cancellation is already remembered' : `the payment is ${state}`);
  }
}
