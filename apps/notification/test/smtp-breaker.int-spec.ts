import { waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MailDispatcher } from '../src/mail/mail-dispatcher.ts';
import { SmtpMailer } from '../src/mail/smtp-mailer.ts';
import { emailOf, NotificationWorld, userCreated } from './support.ts';

describe('the SMTP circuit breaker', () => {
  let world: NotificationWorld;

  beforeAll(async () => {
    // The breaker stays open MAIL_RETRY_INITIAL_MS before it tries the server again: long enough
    // here to look at the dispatcher while it is open.
    world = await new NotificationWorld().start({ MAIL_RETRY_INITIAL_MS: '3000', MAIL_RETRY_MAX_MS: '3000' });
  });
  afterAll(async () => {
    world?.smtp.refuse(false);
    await world?.close();
  });

  it('pauses sending while SMTP is down, spending no row an attempt, and sends each email once when it is back', async () => {
    const dispatcher = world.app.app.get(MailDispatcher);
    const mailer = world.app.app.get(SmtpMailer);
    // The test decides when the dispatcher claims.
    await dispatcher.stop();
    world.smtp.refuse(true);

    const refused = Array.from({ length: 5 }, () => userCreated());
    await world.publish(...refused);
    await world.handled(...refused);
    await waitFor(
      async () => {
        await dispatcher.dispatchBatch();
        return mailer.isOpen;
      },
      { what: 'the breaker to open after failures in a row' },
    );

    // A fresh email while the breaker is open: claimed, but not tried, and its row keeps its attempts.
    const waiting = userCreated();
    await world.publish(waiting);
    await world.handled(waiting);
    expect(await dispatcher.dispatchBatch()).toEqual({ claimed: 1, sent: 0, failed: 0, untried: 1 });
    expect(await world.rowsOf(waiting.data.userId)).toMatchObject([{ sent_at: null, attempts: 0, last_error: null }]);

    world.smtp.refuse(false);
    dispatcher.start();
    await world.drained();
    for (const user of [...refused, waiting]) expect(world.smtp.to(emailOf(user.data.userId))).toHaveLength(1);
    expect(mailer.isOpen).toBe(false);
  });
});
