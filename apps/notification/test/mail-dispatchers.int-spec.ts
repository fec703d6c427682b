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
    const outcomes = await Promise.all(dispatchers.map((dispatcher) => dispatcher.dispatchOne()));

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
    expect(outcomes.sort()).toEqual(['idle', 'sent']);
    expect(await world.rowsOf(created.data.userId)).toMatchObject([{ type: 'WELCOME', attempts: 1 }]);
  });
});
