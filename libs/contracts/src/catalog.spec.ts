import { randomUUID } from 'node:crypto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createEvent, defineEvent, EVENT_CATALOG, type EventOf, InvalidEventError, readEvent } from './catalog.ts';
import { EVENT_TYPES } from './envelope.ts';

const placed = {
  orderId: randomUUID(),
  customerId: randomUUID(),
  items: [{ sku: 'SKU-1', quantity: 2, unitPriceCents: 500 }],
  totalCents: 1000,
  currency: 'USD',
  paymentToken: 'tok_ok',
};
const meta = { source: 'order' as const, aggregateId: placed.orderId, correlationId: 'corr-1' };

describe('the event catalog', () => {
  it('has one definition per event type of the contract', () => {
    expect(Object.keys(EVENT_CATALOG).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('builds an envelope with ids, time, source, correlation and causation', () => {
    const event = createEvent('order.placed', placed, { ...meta, causationId: 'cause-1' });
    expect(event).toMatchObject({
      eventType: 'order.placed',
      eventVersion: 1,
      source: 'order',
      aggregateId: placed.orderId,
      correlationId: 'corr-1',
      causationId: 'cause-1',
      data: placed,
    });
    expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(event.occurredAt)).not.toBeNaN();
    expectTypeOf(event).toEqualTypeOf<EventOf<'order.placed'>>();
  });

  it('refuses to build an event whose data breaks its schema', () => {
    expect(() => createEvent('order.placed', { ...placed, items: [] }, meta)).toThrow(InvalidEventError);
    expect(() =>
      createEvent(
        'payment.failed',
        { orderId: 'o', paymentId: 'p', amountCents: 1, currency: 'usd', reason: 'DECLINED' },
        meta,
      ),
    ).toThrow(/currency/);
  });

  it('reads what it builds, and a newer version that only adds fields', () => {
    const event = createEvent('order.placed', placed, meta);
    expect(readEvent(EVENT_CATALOG, JSON.parse(JSON.stringify(event)))).toEqual(event);
    const newer = { ...event, eventVersion: 2, data: { ...placed, giftWrap: true } };
    expect(readEvent(EVENT_CATALOG, newer).data).toEqual(placed);
  });

  it('rejects a broken envelope, an unknown type and invalid data, saying why', () => {
    const event = createEvent('order.placed', placed, meta);
    expect(() => readEvent(EVENT_CATALOG, { ...event, eventId: 42 })).toThrow(/invalid envelope: eventId/);
    expect(() => readEvent(EVENT_CATALOG, { ...event, eventType: 'order.shipped' })).toThrow(
      /unknown event type order.shipped/,
    );
    expect(() => readEvent(EVENT_CATALOG, { ...event, data: { ...placed, totalCents: -1 } })).toThrow(
      /invalid order.placed v1 data: totalCents/,
    );
    expect(() => readEvent(EVENT_CATALOG, 'not an object')).toThrow(InvalidEventError);
  });

  it('names every invalid field by its dotted path, and the root when the value itself is wrong', () => {
    const event = createEvent('order.placed', placed, meta);
    const bad = { ...placed, totalCents: -1, items: [{ ...placed.items[0], quantity: 0 }] };
    expect(() => readEvent(EVENT_CATALOG, { ...event, data: bad })).toThrow(
      /^invalid order\.placed v1 data: items\.0\.quantity: [^;]+; totalCents: [^;]+$/,
    );
    expect(() => readEvent(EVENT_CATALOG, 'not an object')).toThrow(/^invalid envelope: \(root\): /);
  });
});

describe('order.cancelled reasons', () => {
  const cancelled = (reason: EventOf<'order.cancelled'>['data']['reason']) =>
    createEvent('order.cancelled', { orderId: placed.orderId, customerId: placed.customerId, reason }, meta);

  it('reads every reason, TIMEOUT (the settle deadline) included', () => {
    for (const reason of [
      'OUT_OF_STOCK',
      'UNKNOWN_SKU',
      'PAYMENT_DECLINED',
      'CUSTOMER_CANCELLED',
      'TIMEOUT',
    ] as const) {
      const event = cancelled(reason);
      expect(readEvent(EVENT_CATALOG, JSON.parse(JSON.stringify(event)))).toEqual(event);
    }
  });

  it('is refused by a reader built before TIMEOUT existed: a new value needs its consumers deployed first', () => {
    const before = {
      'order.cancelled': defineEvent('order.cancelled', [
        {
          version: 1,
          schema: z.object({
            orderId: z.string(),
            customerId: z.string(),
            reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED']),
          }),
        },
      ]),
    };
    expect(() => readEvent(before, JSON.parse(JSON.stringify(cancelled('TIMEOUT'))))).toThrow(
      /invalid order.cancelled v1 data: reason/,
    );
  });
});

describe('upcasting', () => {
  // A consumer written for v2 of an event whose v1 had one `name` field.
  const catalog = {
    'customer.renamed': defineEvent('customer.renamed', [
      { version: 1, schema: z.object({ customerId: z.string(), name: z.string() }) },
      {
        version: 2,
        schema: z.object({ customerId: z.string(), firstName: z.string(), lastName: z.string() }),
        upcast: (v1: { customerId: string; name: string }) => {
          const [firstName, ...rest] = v1.name.split(' ');
          return { customerId: v1.customerId, firstName, lastName: rest.join(' ') };
        },
      },
    ]),
  };

  it('turns a v1 event into v2 for a v2 consumer', () => {
    const v1 = {
      ...createEvent('order.placed', placed, meta),
      eventType: 'customer.renamed',
      eventVersion: 1,
      data: { customerId: 'c-1', name: 'Ada King Lovelace' },
    };
    const read = readEvent(catalog, v1);
    expect(read.data).toEqual({ customerId: 'c-1', firstName: 'Ada', lastName: 'King Lovelace' });
    expectTypeOf(read.data).toEqualTypeOf<{ customerId: string; firstName: string; lastName: string }>();
  });

  it('refuses a v1 event its upcaster cannot lift to a valid v2, saying which step', () => {
    const v1 = {
      ...createEvent('order.placed', placed, meta),
      eventType: 'customer.renamed',
      eventVersion: 1,
      data: { customerId: 'c-1', name: '' },
    };
    const strict = {
      'customer.renamed': defineEvent('customer.renamed', [
        catalog['customer.renamed'].versions[0]!,
        { ...catalog['customer.renamed'].versions[1]!, schema: z.object({ firstName: z.string().min(1) }) },
      ]),
    };
    expect(() => readEvent(strict, v1)).toThrow(/^customer\.renamed v1 does not upcast to v2: firstName: /);
  });

  it('insists on versions 1, 2, 3 with an upcaster for each step', () => {
    expect(() => defineEvent('x.y', [{ version: 2, schema: z.object({}) }])).toThrow(/versions must be 1, 2, 3/);
    expect(() =>
      defineEvent('x.y', [
        { version: 1, schema: z.object({}) },
        { version: 2, schema: z.object({}) },
      ]),
    ).toThrow(/needs an upcaster/);
  });
});
