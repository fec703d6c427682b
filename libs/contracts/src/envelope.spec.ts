import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deadLetterTopic, envelopeSchema, EVENT_TYPES } from './envelope.ts';
import { SERVICES } from './services.ts';

const envelope = {
  eventId: randomUUID(),
  eventType: 'order.placed',
  eventVersion: 1,
  occurredAt: new Date().toISOString(),
  source: 'order',
  aggregateId: randomUUID(),
  correlationId: randomUUID(),
  causationId: null,
  data: { orderId: 'x' },
};

describe('the event envelope', () => {
  it('accepts the envelope of docs/contract.md', () => {
    expect(envelopeSchema.parse(envelope)).toEqual(envelope);
  });

  it('rejects a malformed type, a bad id, a missing field or an unknown source', () => {
    expect(envelopeSchema.safeParse({ ...envelope, eventType: 'Order Placed' }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, eventId: 'nope' }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, causationId: undefined }).success).toBe(false);
    expect(envelopeSchema.safeParse({ ...envelope, source: 'billing' }).success).toBe(false);
  });

  it('lists the thirteen event types and names their dead-letter topics', () => {
    expect(EVENT_TYPES).toHaveLength(13);
    expect(deadLetterTopic('order.placed')).toBe('order.placed.dlq');
  });
});

describe('the services', () => {
  it('match the ports, schemas and prefixes of docs/contract.md', () => {
    expect(SERVICES).toEqual({
      auth: { schema: 'auth', port: 3001, prefix: 'api/auth' },
      order: { schema: 'orders', port: 3002, prefix: 'api/orders' },
      payment: { schema: 'payments', port: 3003, prefix: 'api/payments' },
      inventory: { schema: 'inventory', port: 3004, prefix: 'api/inventory' },
      notification: { schema: 'notifications', port: 3005, prefix: 'api/notifications' },
    });
  });
});
