import { describe, expect, it } from 'vitest';
import { decide, ORDER_EVENTS, ORDER_PAYMENT_STATES } from './payment-rules.ts';

// The states and events, written here rather than taken from the rules module, so a state or
// event the rules gain or lose shows up as a difference below.
const STATES = ['UNKNOWN', 'TOMBSTONED', 'AUTHORIZED', 'CAPTURED', 'VOIDED', 'FAILED'] as const;
const EVENTS = ['order.placed', 'order.confirmed', 'order.cancelled'] as const;

const why = expect.stringMatching(/\S/);
const nothing = (level: 'log' | 'warn' | 'error') => ({ action: 'nothing', why, level });

// What each (state, event) pair must decide, written from the choreography, not from decide().
const EXPECTED: Record<(typeof STATES)[number], Record<(typeof EVENTS)[number], object>> = {
  UNKNOWN: {
    'order.placed': { action: 'authorize' },
    // Confirmed before this app has the payment it followed: behind, so retry (then the DLQ).
    'order.confirmed': { action: 'retry', why },
    'order.cancelled': { action: 'tombstone' },
  },
  TOMBSTONED: {
    // Cancelled first: record nothing, and void whatever an attempt of it got the provider to hold.
    'order.placed': { action: 'release', why },
    'order.confirmed': nothing('error'),
    'order.cancelled': nothing('log'),
  },
  AUTHORIZED: {
    'order.placed': nothing('log'),
    'order.confirmed': { action: 'capture' },
    'order.cancelled': { action: 'void' },
  },
  CAPTURED: {
    'order.placed': nothing('log'),
    'order.confirmed': nothing('log'),
    // A refund is a person's decision, never an automatic void.
    'order.cancelled': nothing('error'),
  },
  VOIDED: {
    'order.placed': nothing('log'),
    'order.confirmed': nothing('error'),
    'order.cancelled': nothing('log'),
  },
  FAILED: {
    'order.placed': nothing('log'),
    'order.confirmed': nothing('error'),
    'order.cancelled': nothing('log'),
  },
};

const PAIRS = STATES.flatMap((state) => EVENTS.map((event) => [state, event] as const));

describe('the payment rules', () => {
  it('know exactly the states and events written here', () => {
    expect([...ORDER_PAYMENT_STATES].sort()).toEqual([...STATES].sort());
    expect([...ORDER_EVENTS].sort()).toEqual([...EVENTS].sort());
  });

  it.each(PAIRS)('%s + %s', (state, event) => {
    expect(decide(state, event)).toEqual(EXPECTED[state][event]);
  });

  it('change a payment only from AUTHORIZED, so a captured, voided or failed payment is final', () => {
    for (const state of ['CAPTURED', 'VOIDED', 'FAILED'] as const)
      for (const event of EVENTS) expect(decide(state, event).action).toBe('nothing');
  });

  it('never authorize for an order that already has a payment or a tombstone', () => {
    for (const state of STATES.filter((s) => s !== 'UNKNOWN'))
      expect(decide(state, 'order.placed').action).not.toBe('authorize');
  });

  it('say why in the log line an operator reads: a tombstone is named as one, a payment by its status', () => {
    expect(decide('TOMBSTONED', 'order.confirmed')).toMatchObject({
      why: expect.stringContaining('cancelled before it was placed'),
    });
    expect(decide('VOIDED', 'order.confirmed')).toMatchObject({ why: expect.stringContaining('payment is VOIDED') });
    expect(decide('TOMBSTONED', 'order.cancelled')).toMatchObject({ why: 'the cancellation is already remembered' });
    expect(decide('FAILED', 'order.cancelled')).toMatchObject({ why: 'the payment is FAILED' });
  });
});
