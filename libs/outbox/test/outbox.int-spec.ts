import { randomUUID } from 'node:crypto';
import type { Envelope } from '@commerce/contracts';
import { createTestDatabase, type TestDatabase } from '@commerce/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addToOutbox, type OutboxTransaction } from '../src/outbox.ts';

function event(aggregateId: string = randomUUID()): Envelope {
  return {
    eventId: randomUUID(),
    eventType: 'order.placed',
    eventVersion: 1,
    occurredAt: new Date().toISOString(),
    source: 'order',
    aggregateId,
    correlationId: randomUUID(),
    causationId: null,
    data: { orderId: aggregateId },
  };
}

describe('addToOutbox', () => {
  let db: TestDatabase;
  let client: pg.Client;

  // The order app's schema and role, through a real pg transaction; `$executeRawUnsafe` is all the
  // outbox asks of a Prisma transaction.
  async function inTransaction(work: (tx: OutboxTransaction) => Promise<void>, outcome: 'COMMIT' | 'ROLLBACK') {
    await client.query('BEGIN');
    await work({ $executeRawUnsafe: async (sql, ...values) => (await client.query(sql, values)).rowCount ?? 0 });
    await client.query(outcome);
  }

  beforeAll(async () => {
    db = await createTestDatabase(['order']);
    client = new pg.Client({ connectionString: db.urlFor('order').replace(/[?&]schema=[^&]*/, '') });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('keeps nothing of a rolled-back transaction', async () => {
    const e = event();
    await inTransaction((tx) => addToOutbox(tx, e), 'ROLLBACK');
    expect((await client.query('SELECT * FROM outbox WHERE event_id = $1', [e.eventId])).rowCount).toBe(0);
  });

  it('keeps exactly the events of a committed transaction, keyed and headed as they will be published', async () => {
    const first = event();
    const second = event(first.aggregateId);
    await inTransaction(async (tx) => {
      await addToOutbox(tx, first);
      await addToOutbox(tx, second);
    }, 'COMMIT');
    const { rows } = await client.query('SELECT * FROM outbox WHERE message_key = $1 ORDER BY id', [first.aggregateId]);
    expect(rows.map((r) => r.event_id)).toEqual([first.eventId, second.eventId]);
    expect(rows[0]).toMatchObject({
      topic: 'order.placed',
      message_key: first.aggregateId,
      payload: first,
      attempts: 0,
      published_at: null,
      headers: {
        'event-id': first.eventId,
        'event-type': 'order.placed',
        'event-version': '1',
        'correlation-id': first.correlationId,
      },
    });
  });

  it('refuses the same event twice', async () => {
    const e = event();
    await inTransaction((tx) => addToOutbox(tx, e), 'COMMIT');
    await expect(inTransaction((tx) => addToOutbox(tx, e), 'COMMIT')).rejects.toThrow(/outbox_event_id_key/);
    await client.query('ROLLBACK');
  });
});
