import { adminQuery, type ScratchPostgres, startScratchPostgres, waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailOf, NotificationWorld, userCreated } from './support.ts';

// docs/operations.md (Database outages): no process exits on a lost connection. The notification
// app runs here on a PostgreSQL cluster of this test's own, so the test may kill its sessions and
// restart it while the app consumes events, sends emails (each batch's transaction stays open
// while SMTP answers) and listens for NOTIFY. An 'error' event nobody listens for, or a rejection
// nobody handles, would end a real process: here both are recorded.

describe('notification app when its database goes away', () => {
  let scratch: ScratchPostgres;
  let world: NotificationWorld;
  let role: string;
  const crashes: unknown[] = [];
  const recordCrash = (error: unknown) => crashes.push(error);

  const sessions = async (where: string) =>
    (await adminQuery(world.db, `SELECT 1 FROM pg_stat_activity WHERE usename = $1 AND ${where}`, [role])).length;
  /** The dispatcher is in the middle of a batch: its rows are claimed and SMTP has not answered yet. */
  const dispatcherHoldsABatch = () =>
    waitFor(async () => (await sessions(`state = 'idle in transaction' AND query ILIKE '%SKIP LOCKED%'`)) > 0, {
      what: 'the mail dispatcher to hold a batch open',
      timeoutMs: 30_000,
      intervalMs: 20,
    });
  const listening = () =>
    waitFor(async () => (await sessions(`query ILIKE 'LISTEN%'`)) > 0, {
      what: 'the LISTEN connection to be up',
      timeoutMs: 30_000,
    });
  const terminateAppSessions = async () =>
    (await adminQuery(world.db, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]))
      .length;
  const mailed = (userIds: string[]) =>
    waitFor(() => userIds.every((id) => world.smtp.to(emailOf(id)).length > 0), {
      what: `a welcome email to each of ${userIds.length} users`,
      timeoutMs: 60_000,
    });

  /** New users keep arriving (each gets a welcome email) until the returned stop() is called. */
  const signUps = () => {
    const users: string[] = [];
    let busy = true;
    const flow = (async () => {
      while (busy) {
        const created = userCreated();
        await world.publish(created);
        users.push(created.data.userId);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    return {
      users,
      stop: async () => {
        busy = false;
        await flow;
      },
    };
  };

  beforeAll(async () => {
    process.on('uncaughtException', recordCrash);
    process.on('unhandledRejection', recordCrash);
    scratch = await startScratchPostgres();
    // The SMTP server takes its time with each email, so a batch's transaction is open a while.
    world = await new NotificationWorld({ postgresUrl: scratch.url }).start(
      { CONSUMER_RETRY_MAX_MS: '1000' },
      {
        delayMs: 200,
      },
    );
    role = new URL(world.db.urlFor('notification')).username;
    await listening();
  });
  afterAll(async () => {
    // A test that failed during the outage leaves the server stopped: the world drops its database there.
    if (scratch && !scratch.isRunning()) await scratch.start();
    await world?.close();
    await scratch?.close();
    process.off('uncaughtException', recordCrash);
    process.off('unhandledRejection', recordCrash);
  });

  it('keeps consuming, sending and listening while its sessions are terminated', async () => {
    const traffic = signUps();
    try {
      for (let round = 0; round < 3; round++) {
        await dispatcherHoldsABatch();
        expect(await terminateAppSessions()).toBeGreaterThan(0);
        await listening();
      }
    } finally {
      await traffic.stop();
    }
    await mailed(traffic.users);
    expect(crashes).toEqual([]);
  });

  it('answers 503 and reports the database down while it is stopped, and sends again by itself when it restarts', async () => {
    const before = signUps();
    await dispatcherHoldsABatch();
    await scratch.stop('immediate');
    await before.stop();

    const token = await world.issuer.token({ sub: before.users[0]! });
    const list = await fetch(world.app.baseUrl, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(503);
    expect(list.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(list.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const ready = await fetch(`${world.app.baseUrl}/health/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { details: Record<string, { status: string }> }).details.database?.status).toBe(
      'down',
    );
    // A user who signs up meanwhile is welcomed once the database is back.
    const duringOutage = userCreated();
    await world.publish(duringOutage);

    await scratch.start();
    await mailed([...before.users, duringOutage.data.userId]);
    await listening();
    const after = userCreated();
    await world.publish(after);
    await mailed([after.data.userId]);
    expect(crashes).toEqual([]);
  });
});
