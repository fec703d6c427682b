import { adminQuery, createTestDatabase, type TestDatabase, waitFor } from '@commerce/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgListener } from '../src/database/pg-listener.ts';

describe('PgListener', () => {
  let db: TestDatabase;
  let listener: PgListener | undefined;
  const channel = 'ledger.test_signal';

  const notify = (payload: string) => adminQuery(db, 'SELECT pg_notify($1, $2)', [channel, payload]);

  beforeAll(async () => {
    db = await createTestDatabase(['ledger']);
  });
  afterEach(async () => {
    await listener?.stop();
    listener = undefined;
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('hears notifications again after its connection is killed, while notifications keep coming', async () => {
    const heard: string[] = [];
    let listening = 0;
    listener = new PgListener({
      databaseUrl: db.urlFor('ledger'),
      channels: [channel],
      onNotification: (message) => heard.push(message.payload ?? ''),
      onListening: () => listening++,
      retryMs: 50,
      logger: { warn: () => undefined },
      name: 'test listener',
    });
    listener.start();
    await waitFor(() => listener!.isListening, { what: 'the listener to connect', timeoutMs: 5_000 });
    await notify('before');
    await waitFor(() => heard.includes('before'), { what: 'the first notification', timeoutMs: 5_000 });

    // Notifications flow the whole time; the connection is killed in the middle of them.
    let sent = 0;
    let flowing = true;
    const flow = (async () => {
      while (flowing) await notify(`during-${sent++}`);
    })();
    await waitFor(() => heard.some((p) => p.startsWith('during-')), {
      what: 'notifications to flow',
      timeoutMs: 5_000,
    });
    const [killed] = await adminQuery<{ ok: boolean }>(
      db,
      `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
       WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    expect(killed?.ok).toBe(true);
    await waitFor(() => listening === 2, { what: 'the listener to reconnect', timeoutMs: 5_000 });
    const afterReconnect = sent;
    await waitFor(() => heard.some((p) => p.startsWith('during-') && Number(p.slice(7)) > afterReconnect), {
      what: 'notifications sent after the reconnect to be heard',
      timeoutMs: 5_000,
    });
    flowing = false;
    await flow;
    await notify('after');
    await waitFor(() => heard.includes('after'), { what: 'the last notification', timeoutMs: 5_000 });
  });
});
