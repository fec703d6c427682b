import { describe, expect, it } from 'vitest';
import {
  decide,
  ORDER_EVENTS,
  ORDER_PAYMENT_STATES,
  type OrderEvent,
  type OrderPaymentState,
  type PaymentDecision,
} from './payment-rules.ts';

// Every (state, event) pair and the action it must give; `nothing` rows also say how loudly.
const TABLE: Array<[OrderPaymentState, OrderEvent, PaymentDecision['action'], ('log' | 'warn' | 'error')?]> = [
  ['UNKNOWN', 'order.placed', 'authorize'],
  ['TOMBSTONED', 'order.placed', 'nothing', 'warn'],
  ['AUTHORIZED', 'order.placed', 'nothing', 'log'],
  ['CAPTURED', 'order.placed', 'nothing', 'log'],
  ['VOIDED', 'order.placed', 'nothing', 'log'],
  ['FAILED', 'order.placed', 'nothing', 'log'],

  ['UNKNOWN', 'order.confirmed', 'retry'],
  ['TOMBSTONED', 'order.confirmed', 'nothing', 'error'],
  ['AUTHORIZED', 'order.confirmed', 'capture'],
  ['CAPTURED', 'order.confirmed', 'nothing', 'log'],
  ['VOIDED', 'order.confirmed', 'nothing', 'error'],
  ['FAILED', 'order.confirmed', 'nothing', 'error'],

  ['UNKNOWN', 'order.cancelled', 'tombstone'],
  ['TOMBSTONED', 'order.cancelled', 'nothing', 'log'],
  ['AUTHORIZED', 'order.cancelled', 'void'],
  ['CAPTURED', 'order.cancelled', 'nothing', 'error'],
  ['VOIDED', 'order.cancelled', 'nothing', 'log'],
  ['FAILED', 'order.cancelled', 'nothing', 'log'],
];

describe('the payment rules', () => {
  it('cover every state × event pair exactly once', () => {
    const pairs = TABLE.map(([state, event]) => `${state} ${event}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(pairs.length).toBe(ORDER_PAYMENT_STATES.length * ORDER_EVENTS.length);
  });

  it.each(TABLE)('%s + %s → %s %s', (state, event, action, level) => {
    const decision = decide(state, event);
    expect(decision.action).toBe(action);
    if (decision.action === 'nothing') {
      expect(decision.level).toBe(level);
      expect(decision.why).not.toBe('');
    }
    if (decision.action === 'retry') expect(decision.why).not.toBe('');
  });

  it('change a payment only from AUTHORIZED, so a captured, voided or failed payment is final', () => {
    for (const state of ['CAPTURED', 'VOIDED', 'FAILED'] as const)
      for (const event of ORDER_EVENTS) expect(decide(state, event).action).toBe('nothing');
  });

  it('never authorize for an order that already has a payment or a tombstone', () => {
    for (const state of ORDER_PAYMENT_STATES.filter((s) => s !== 'UNKNOWN'))
      expect(decide(state, 'order.placed').action).not.toBe('authorize');
  });
});
