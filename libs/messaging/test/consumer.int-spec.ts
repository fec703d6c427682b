import { randomUUID } from 'node:crypto';
import { createEvent, defineEvent, EVENT_CATALOG } from '@commerce/contracts';
import {
  createTestDatabase,
  ledgerClient,
  type LedgerDatabase,
  type TestDatabase,
  TopicReader,
  waitFor,
} from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { authorized, Harness, LedgerHandler } from './support.ts';

describe('EventConsumer', () => {
  let database: TestDatabase;
  let db: LedgerDatabase;
  let harness: Harness;

  const entries = (eventId: string) => db.ledgerEntry.count({ where: { eventId } });
  const applied = (eventId: string) =>
    waitFor(async () => (await entries(eventId)) > 0, { what: `event ${eventId} to be applied` });

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    db = ledgerClient(database.urlFor('ledger'));
  });
  afterEach(async () => {
    await harness?.close();
  });
  afterAll(async () => {
    await db?.$disconnect();
    await database?.drop();
  });

  it('applies an event once however often it is delivered, under its correlation', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new LedgerHandler();
    await harness.consume(db, [handler]);
    const event = authorized();
    await harness.publish(event, event, event);
    const after = authorized(event.aggregateId);
    await harness.publish(after);
    await applied(after.eventId);

    expect(await entries(event.eventId)).toBe(1);
    expect(handler.calls.filter((id) => id === event.eventId)).toHaveLength(1);
    expect(handler.correlations[0]).toMatchObject({ correlationId: event.correlationId, causationId: event.eventId });
  });

  it('dead-letters an unreadable message at once, keeping it whole, and goes on with the partition', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    await harness.consume(db, [new LedgerHandler()]);
    const key = randomUUID();
    const before = authorized(key);
    const after = authorized(key);
    const wrongData = { ...authorized(key), data: { orderId: key } };
    await harness.send('payment.authorized', [
      { key, value: JSON.stringify(before) },
      { key, value: '{ not json', headers: { 'event-id': 'poison-1', 'correlation-id': 'c-poison' } },
      { key, value: JSON.stringify(wrongData), headers: { 'event-id': wrongData.eventId } },
      { key, value: JSON.stringify(after) },
    ]);
    await applied(after.eventId);
    expect(await entries(before.eventId)).toBe(1);

    const dlq = await new TopicReader(harness.kafka, [`${harness.topic('payment.authorized')}.dlq`]).start();
    try {
      const [poison, invalid] = await dlq.waitFor(2);
      expect(poison).toMatchObject({ key, value: '{ not json' });
      expect(poison.headers).toMatchObject({
        'event-id': 'poison-1',
        'correlation-id': 'c-poison',
        'dlq-reason': 'invalid-message',
        'dlq-original-topic': harness.topic('payment.authorized'),
        'dlq-original-partition': '0',
        'dlq-original-offset': '1',
        'dlq-consumer-group': `${harness.prefix}ledger`,
        'dlq-attempts': '1',
      });
      expect(poison.headers['dlq-error']).toMatch(/JSON/);
      expect(invalid.headers).toMatchObject({ 'dlq-reason': 'invalid-message', 'dlq-original-offset': '2' });
      expect(invalid.headers['dlq-error']).toMatch(/invalid payment.authorized v1 data/);
    } finally {
      await dlq.stop();
    }
  });

  it('retries a handler that fails twice with backoff, then applies the event once', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new LedgerHandler();
    await harness.consume(db, [handler]);
    const event = authorized();
    handler.failures.set(event.eventId, 2);
    await harness.publish(event);
    await applied(event.eventId);
    expect(handler.calls.filter((id) => id === event.eventId)).toHaveLength(3);
    expect(await entries(event.eventId)).toBe(1);
  });

  it('dead-letters after the configured attempts, goes on, and applies once after a fix and two redrives', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const handler = new LedgerHandler();
    await harness.consume(db, [handler], { maxAttempts: 3 });
    const failing = authorized();
    const next = authorized(failing.aggregateId);
    handler.failures.set(failing.eventId, Number.POSITIVE_INFINITY);
    await harness.publish(failing, next);
    await applied(next.eventId);
    expect(handler.calls.filter((id) => id === failing.eventId)).toHaveLength(3);
    expect(await entries(failing.eventId)).toBe(0);

    const dlq = await new TopicReader(harness.kafka, [`${harness.topic('payment.authorized')}.dlq`]).start();
    const [letter] = await dlq.waitFor(1).finally(() => dlq.stop());
    expect(letter).toMatchObject({ key: failing.aggregateId, value: JSON.stringify(failing) });
    expect(letter!.headers).toMatchObject({
      'dlq-reason': 'handler-failed',
      'dlq-original-topic': harness.topic('payment.authorized'),
      'dlq-attempts': '3',
      'dlq-handler': 'LedgerHandler',
      'event-id': failing.eventId,
    });
    expect(letter!.headers['dlq-error']).toContain('ledger unavailable');

    // Redriven twice (as `npm run dlq` would: the original key, value and headers, back on the topic).
    handler.failures.delete(failing.eventId);
    const original = Object.fromEntries(Object.entries(letter!.headers).filter(([name]) => !name.startsWith('dlq-')));
    const copy = { key: letter!.key!, value: letter!.value!, headers: original };
    await harness.send('payment.authorized', [copy, copy]);
    await applied(failing.eventId);
    const sentinel = authorized(failing.aggregateId);
    await harness.publish(sentinel);
    await applied(sentinel.eventId);
    expect(await entries(failing.eventId)).toBe(1);
    expect(handler.calls.filter((id) => id === failing.eventId)).toHaveLength(4);
  });

  it('reads a v1 event as v2 through its upcaster', async () => {
    harness = new Harness();
    const catalog = {
      'ledger.credited': defineEvent('ledger.credited', [
        { version: 1, schema: z.object({ orderId: z.string(), cents: z.number().int() }) },
        {
          version: 2,
          schema: z.object({ orderId: z.string(), amountCents: z.number().int(), currency: z.string() }),
          upcast: (v1: { orderId: string; cents: number }) => ({
            orderId: v1.orderId,
            amountCents: v1.cents,
            currency: 'USD',
          }),
        },
      ]),
    };
    await harness.createTopics(['ledger.credited']);
    const seen: unknown[] = [];
    const handler = new LedgerHandler('ledger.credited', 'CreditV2Handler');
    const v2Handler = {
      ...handler,
      eventType: 'ledger.credited',
      name: 'CreditV2Handler',
      handle: async (event: never, tx: never) => {
        seen.push((event as { data: unknown }).data);
        await handler.handle({ ...(event as object), data: { ...(event as { data: object }).data } } as never, tx);
      },
    };
    await harness.consume(db, [v2Handler], {}, catalog);
    const orderId = randomUUID();
    const v1 = {
      ...createEvent(
        'payment.authorized',
        { orderId, paymentId: 'p', amountCents: 1, currency: 'USD' },
        { source: 'payment', aggregateId: orderId, correlationId: 'c' },
      ),
      eventType: 'ledger.credited',
      eventVersion: 1,
      data: { orderId, cents: 4200 },
    };
    await harness.send('ledger.credited', [{ key: orderId, value: JSON.stringify(v1) }]);
    await applied(v1.eventId);
    expect(seen).toEqual([{ orderId, amountCents: 4200, currency: 'USD' }]);
    expect(await db.ledgerEntry.findFirst({ where: { eventId: v1.eventId } })).toMatchObject({
      amount: 4200,
      account: orderId,
    });
    expect(EVENT_CATALOG['ledger.credited' as never]).toBeUndefined();
  });

  it('keeps its place in the group while a handler runs longer than the session timeout', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized'], 1);
    const handler = new LedgerHandler();
    handler.delayMs = 9_000;
    const consumer = await harness.consume(db, [handler], { sessionTimeoutMs: 6_000 });
    const slow = authorized();
    await harness.publish(slow);
    await waitFor(() => consumer.state === 'running', { what: 'the consumer to join' });
    const joinsBefore = consumer.joins;
    await waitFor(() => handler.calls.length > 0, { what: 'the slow handler to start' });
    await applied(slow.eventId);
    handler.delayMs = 0;
    const next = authorized();
    await harness.publish(next);
    await applied(next.eventId);
    // Without heartbeats the broker drops the member after 6 s and kafkajs rejoins quietly (no
    // crash): a second join is the only trace, since the inbox stops the redelivered message.
    expect(consumer.joins).toBe(joinsBefore);
    expect(handler.calls.filter((id) => id === slow.eventId)).toHaveLength(1);
  }, 60_000);

  it('deletes inbox rows older than the retention', async () => {
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const consumer = await harness.consume(db, [new LedgerHandler()], { inboxRetentionMs: 60_000 });
    await db.$executeRaw`INSERT INTO inbox (consumer, event_id, processed_at)
      VALUES ('Old', ${randomUUID()}::uuid, now() - interval '120 seconds')`;
    const fresh = randomUUID();
    await db.$executeRaw`INSERT INTO inbox (consumer, event_id) VALUES ('Fresh', ${fresh}::uuid)`;
    expect(await consumer.cleanInbox()).toBeGreaterThanOrEqual(1);
    const inbox = (name: string) =>
      db.$queryRaw<Array<{ event_id: string }>>`SELECT event_id::text FROM inbox WHERE consumer = ${name}`;
    expect(await inbox('Old')).toHaveLength(0);
    expect(await inbox('Fresh')).toEqual([{ event_id: fresh }]);
  });
});
