import { randomUUID } from 'node:crypto';
import { waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDispatcher } from '../src/mail/mail-dispatcher.ts';
import { emailOf, NotificationWorld, userCreated } from './support.ts';

describe('mail dispatchers', () => {
  let world: NotificationWorld;
  let dispatchers: MailDispatcher[];

  beforeAll(async () => {
    world = await new NotificationWorld().start();
    // A second replica on the same database (its own consumer group): two dispatchers, one table.
    const replica = await world.startApp({ KAFKA_TOPIC_PREFIX: `${world.prefix}replica.` });
    dispatchers = [world.app, replica].map((app) => app.app.get(MailDispatcher));
    // The test decides when each one claims: their own workers stop (they would race unseen).
    await Promise.all(dispatchers.map((dispatcher) => dispatcher.stop()));
  });
  afterAll(async () => {
    await world?.close();
  });

  it('two mail dispatchers racing one row: exactly one email is sent', async () => {
    const created = userCreated(randomUUID(), 'Grace');
    await world.publish(created);
    await world.handled(created);
    expect(await world.rowsOf(created.data.userId)).toMatchObject([{ type: 'WELCOME', sent_at: null }]);

    // Both claim at once: one locks the row and sends it, the other finds nothing it may take.
    const results = await Promise.all(dispatchers.map((dispatcher) => dispatcher.dispatchBatch()));

    // A later email through the same SMTP server: once it is in the mailbox, a second copy of
    // the raced one would be too.
    const marker = userCreated(randomUUID(), 'Marker');
    await world.publish(marker);
    await world.handled(marker);
    dispatchers[0].start();
    await waitFor(() => world.smtp.to(emailOf(marker.data.userId)).length === 1, {
      timeoutMs: 5_000,
      what: 'the marker email',
    });
    expect(world.smtp.to(emailOf(created.data.userId))).toHaveLength(1);
    expect(results.map((r) => r.sent).sort()).toEqual([0, 1]);
    expect(results.map((r) => r.claimed).sort()).toEqual([0, 1]);
    expect(await world.rowsOf(created.data.userId)).toMatchObject([{ type: 'WELCOME', attempts: 1 }]);
  });
});

// Fewer than the default, so a bound that came from elsewhere (the pool's own default of 5) would show.
const MAIL_CONCURRENCY = 3;

describe('a burst of emails', () => {
  let world: NotificationWorld;

  beforeAll(async () => {
    // One replica, and an SMTP server that takes a while to accept each email, as a real one does.
    world = await new NotificationWorld().start({ MAIL_CONCURRENCY: String(MAIL_CONCURRENCY) }, { delayMs: 20 });
  });
  afterAll(async () => {
    await world?.close();
  });

  it(`sends 50 emails each exactly once, never more than MAIL_CONCURRENCY (${MAIL_CONCURRENCY}) at once`, async () => {
    // Recorded while the dispatcher is stopped, so all 50 are due together when it starts.
    const dispatcher = world.app.app.get(MailDispatcher);
    await dispatcher.stop();
    const users = Array.from({ length: 50 }, () => userCreated());
    await world.publish(...users);
    await world.handled(...users);
    dispatcher.start();
    await world.drained();

    for (const user of users) expect(world.smtp.to(emailOf(user.data.userId))).toHaveLength(1);
    expect(world.smtp.messages).toHaveLength(50);
    const rows = await world.query<{ attempts: number; n: number }>(
      `SELECT attempts, count(*)::int AS n FROM notifications.notifications WHERE sent_at IS NOT NULL GROUP BY attempts`,
    );
    expect(rows).toEqual([{ attempts: 1, n: 50 }]);
    // What the SMTP server saw: connections open at once, and emails being received at once
    // (from their DATA to the server's answer).
    const peak = world.smtp.peak();
    expect(peak.sessions).toBeLessThanOrEqual(MAIL_CONCURRENCY);
    expect(peak.messages).toBeLessThanOrEqual(MAIL_CONCURRENCY);
    // …and they did overlap: the burst did not go one by one.
    expect(peak.messages).toBeGreaterThan(1);
  });
});
