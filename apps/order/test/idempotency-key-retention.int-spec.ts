import { randomUUID } from 'node:crypto';
import {
  adminQuery,
  createTestDatabase,
  createTopics,
  startTestApp,
  startTestIssuer,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  testKafka,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';

const RETENTION_HOURS = 24;

describe('idempotency key retention', () => {
  let db: TestDatabase;
  let app: TestApp;
  let issuer: TestIssuer;
  const prefix = `${uniqueId()}.`;

  /** Keys as the placing use case claims them, `ageHours` ago (the order rows do not matter here). */
  const claimKeys = async (count: number, ageHours: number): Promise<string[]> => {
    const keys = Array.from({ length: count }, () => randomUUID());
    await adminQuery(
      db,
      `INSERT INTO orders.idempotency_keys (customer_id, key, request_hash, order_id, created_at)
       SELECT $1, k, 'hash', gen_random_uuid(), now() - make_interval(hours => $2) FROM unnest($3::text[]) AS k`,
      [randomUUID(), ageHours, keys],
    );
    return keys;
  };
  const remaining = async (keys: string[]) =>
    (await adminQuery<{ key: string }>(db, 'SELECT key FROM orders.idempotency_keys WHERE key = ANY($1)', [keys])).map(
      (row) => row.key,
    );

  beforeAll(async () => {
    issuer = await startTestIssuer();
    db = await createTestDatabase(['order']);
    await createTopics(
      testKafka(),
      ['order.placed', 'order.confirmed', 'order.cancelled'].map((t) => `${prefix}${t}`),
    );
    app = await startTestApp(orderApp, {
      DATABASE_URL: db.urlFor('order'),
      KAFKA_TOPIC_PREFIX: prefix,
      IDEMPOTENCY_KEY_RETENTION_HOURS: String(RETENTION_HOURS),
      IDEMPOTENCY_KEY_CLEANUP_INTERVAL_MS: '200',
      // Smaller than what expires at once: the backlog takes several statements, one after another.
      IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE: '2',
      ...issuer.env,
    });
  });
  afterAll(async () => {
    await app?.close();
    await issuer?.close();
    await db?.drop();
  });

  it('deletes keys older than the retention, in batches, and keeps the younger ones', async () => {
    const young = await claimKeys(3, RETENTION_HOURS - 1);
    const expired = await claimKeys(5, RETENTION_HOURS + 1);
    await waitFor(async () => (await remaining(expired)).length === 0, { what: 'the expired keys to be deleted' });
    // Expired after the first ones went: their deletion is a later run, which the young keys survive too.
    const later = await claimKeys(3, RETENTION_HOURS * 2);
    await waitFor(async () => (await remaining(later)).length === 0, { what: 'keys that expire later to be deleted' });
    expect((await remaining(young)).sort()).toEqual([...young].sort());
  });

  it('refuses a retention shorter than a day: a client may still be retrying', async () => {
    await expect(
      startTestApp(orderApp, {
        DATABASE_URL: db.urlFor('order'),
        KAFKA_TOPIC_PREFIX: prefix,
        IDEMPOTENCY_KEY_RETENTION_HOURS: '1',
      }),
    ).rejects.toThrow(/IDEMPOTENCY_KEY_RETENTION_HOURS/);
  });
});
