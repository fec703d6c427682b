import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EventLedger } from '../event-ledger.ts';

// The drill's reading of the topics, without a broker: messages as the consumer would hand them.
function ledgerOf(orders: string[]) {
  const ledger = new EventLedger(['127.0.0.1:1'], 'p.', new Set(orders));
  const publish = (type: string, orderId: string, eventId = randomUUID()) =>
    ledger.record(
      `p.${type}`,
      Buffer.from(JSON.stringify({ eventId, eventType: type, aggregateId: orderId, data: { orderId } })),
      {},
    );
  return { ledger, publish };
}

const confirmedFlow = [
  'order.placed',
  'inventory.reserved',
  'payment.authorized',
  'order.confirmed',
  'payment.captured',
];

describe('EventLedger.check', () => {
  it('finds nothing wrong in a confirmed and a cancelled order, a redelivered event included', () => {
    const { ledger, publish } = ledgerOf(['a', 'b']);
    for (const type of confirmedFlow) publish(type, 'a');
    for (const type of [
      'order.placed',
      'inventory.reserved',
      'payment.authorized',
      'order.cancelled',
      'inventory.released',
    ])
      publish(type, 'b');
    const voided = randomUUID();
    publish('payment.voided', 'b', voided);
    publish('payment.voided', 'b', voided); // the same event delivered twice is one effect

    expect(
      ledger.check(
        new Map([
          ['a', 'CONFIRMED'],
          ['b', 'CANCELLED'],
        ]),
      ),
    ).toEqual({ missing: [], wrong: [] });
  });

  it('calls two different events of one effect for one order a duplicate', () => {
    const { ledger, publish } = ledgerOf(['a']);
    for (const type of confirmedFlow) publish(type, 'a');
    publish('payment.captured', 'a');

    expect(ledger.check(new Map([['a', 'CONFIRMED']])).wrong).toEqual(['a: 2 different payment.captured events']);
  });

  it('says what a cancelled order still holds, and what contradicts its status', () => {
    const { ledger, publish } = ledgerOf(['b', 'c']);
    for (const type of ['order.placed', 'inventory.reserved', 'payment.authorized', 'order.cancelled'])
      publish(type, 'b');
    for (const type of [...confirmedFlow, 'order.cancelled']) publish(type, 'c');

    const { missing, wrong } = ledger.check(
      new Map([
        ['b', 'CANCELLED'],
        ['c', 'CANCELLED'],
      ]),
    );
    expect(missing).toEqual([
      'b CANCELLED: payment.authorized never voided',
      'b CANCELLED: inventory.reserved never released',
      'c CANCELLED: inventory.reserved never released',
    ]);
    expect(wrong).toEqual(['c: both order.confirmed and order.cancelled', 'c CANCELLED: payment.captured']);
  });

  it("keeps only the drill's orders, and reports their dead letters", () => {
    const { ledger, publish } = ledgerOf(['a']);
    for (const type of confirmedFlow) publish(type, 'a');
    publish('payment.captured', 'someone-else');
    ledger.record(
      'p.order.confirmed.dlq',
      Buffer.from(JSON.stringify({ eventId: randomUUID(), data: { orderId: 'a' } })),
      {
        'dlq-reason': Buffer.from('handler-failed'),
        'dlq-error': Buffer.from('deadlock detected'),
      },
    );

    expect(ledger.events.has('someone-else')).toBe(false);
    expect(ledger.check(new Map([['a', 'CONFIRMED']])).wrong).toEqual([
      'a: dead letter in p.order.confirmed.dlq (handler-failed: deadlock detected)',
    ]);
  });
});
