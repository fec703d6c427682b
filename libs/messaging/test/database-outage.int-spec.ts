import { prismaAdapter } from '@commerce/platform';
import {
  createTestDatabase,
  ledgerClient,
  LedgerDatabase,
  TcpProxy,
  type TestDatabase,
  waitFor,
} from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorized, Harness, LedgerHandler } from './support.ts';

describe('EventConsumer when its database goes away', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let db: LedgerDatabase;
  let harness: Harness;

  beforeAll(async () => {
    database = await createTestDatabase(['ledger']);
    const url = new URL(database.urlFor('ledger'));
    proxy = await new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) }).start();
    db = ledgerClient(proxy.through(database.urlFor('ledger')));
  });
  afterAll(async () => {
    await harness?.close();
    await db?.$disconnect();
    await proxy?.close();
    await database?.drop();
  });

  it('waits without spending attempts or dead-lettering, and applies the event once the database is back', async () => {
    harness = new Harness();
    // With its dead-letter topic, so "nothing dead-lettered" cannot pass for want of a topic.
    await harness.createTopics(['payment.authorized']);
    const waits: unknown[] = [];
    const logger = {
      log: () => undefined,
      error: () => undefined,
      warn: (line: unknown, message?: unknown) => {
        if (message === 'database unavailable; waiting') waits.push(line);
      },
    };
    await harness.consume(db, [new LedgerHandler()], { maxAttempts: 2, retry: { initialMs: 20, maxMs: 100 }, logger });
    const first = authorized();
    await harness.publish(first);
    await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: first.eventId } })) === 1, {
      what: 'the first event',
    });

    await proxy.cut();
    const during = authorized();
    await harness.publish(during);
    // Well past the two attempts a failing handler would get, and still nothing dead-lettered.
    await waitFor(() => waits.length >= 6, { what: 'the consumer to wait on the database' });
    expect(await harness.deadLetterCount('payment.authorized')).toBe(0);

    await proxy.restore();
    await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: during.eventId } })) === 1, {
      timeoutMs: 30_000,
      what: 'the event after the outage',
    });
    expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
  });

  it('waits, without spending attempts, while its pool has no connection to give', async () => {
    // One connection, given up on after 100 ms: a transaction the test holds starves the consumer.
    const starved = new LedgerDatabase({
      adapter: prismaAdapter(database.urlFor('ledger'), { size: 1, timeoutMs: 100 }),
    });
    harness = new Harness();
    await harness.createTopics(['payment.authorized']);
    const waits: unknown[] = [];
    const logger = {
      log: () => undefined,
      error: () => undefined,
      warn: (line: unknown, message?: unknown) => {
        if (message === 'database unavailable; waiting') waits.push(line);
      },
    };
    let release!: () => void;
    const held = starved.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT 1`;
        await new Promise<void>((resolve) => (release = resolve));
      },
      { timeout: 60_000 },
    );
    try {
      await harness.consume(starved, [new LedgerHandler()], {
        maxAttempts: 2,
        retry: { initialMs: 20, maxMs: 100 },
        logger,
      });
      const event = authorized();
      await harness.publish(event);
      await waitFor(() => waits.length >= 6, { what: 'the consumer to wait for a connection' });
      expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
      release();
      await held;
      await waitFor(async () => (await db.ledgerEntry.count({ where: { eventId: event.eventId } })) === 1, {
        what: 'the event once a connection is free',
      });
      expect(await harness.deadLetterCount('payment.authorized')).toBe(0);
    } finally {
      release?.();
      await held.catch(() => undefined);
      await harness.close();
      await starved.$disconnect();
    }
  });
});
