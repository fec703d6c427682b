import { randomUUID } from 'node:crypto';
import { waitFor } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  anew,
  emailOf,
  NotificationWorld,
  orderCancelled,
  orderConfirmed,
  orderPlaced,
  userCreated,
} from './support.ts';

describe('notification emails', () => {
  let world: NotificationWorld;

  beforeAll(async () => {
    world = await new NotificationWorld().start();
  });
  afterAll(async () => {
    await world?.close();
  });

  const mailsTo = (userId: string) => world.smtp.to(emailOf(userId));
  const arrived = (userId: string, count: number) =>
    waitFor(() => mailsTo(userId).length >= count && mailsTo(userId), {
      what: `${count} emails to ${emailOf(userId)} (have ${mailsTo(userId).length})`,
    });

  it('sends one welcome email to a new user, from MAIL_FROM, with a Message-ID made from the notification', async () => {
    const created = userCreated(randomUUID(), 'Grace');
    await world.publish(created);
    const [mail] = await arrived(created.data.userId, 1);
    expect(mail.to).toEqual([created.data.email]);
    expect(mail.from).toBe('no-reply@commerce.local');
    expect(mail.subject).toBe('Welcome to Commerce, Grace');
    expect(mail.text).toContain('Hello Grace,');

    await world.drained();
    const [row] = await world.rowsOf(created.data.userId);
    expect(row).toMatchObject({ type: 'WELCOME', order_id: null, attempts: 1, last_error: null });
    expect(row.message_id).toBe(`<${row.id}@commerce.local>`);
    expect(mail.headers.get('message-id')).toBe(row.message_id);
  });

  it('sends one welcome however often user.created comes, under the same or a new event id', async () => {
    const created = userCreated();
    const again = anew(created);
    await world.publish(created, created, again);
    await world.handled(created, again);
    await world.drained();
    expect(mailsTo(created.data.userId)).toHaveLength(1);
    expect(await world.rowsOf(created.data.userId)).toHaveLength(1);
  });

  it('sends one email each when an order is placed, confirmed and cancelled, to the customer', async () => {
    const user = userCreated();
    const userId = user.data.userId;
    await world.publish(user);
    await arrived(userId, 1);

    const placed = orderPlaced(userId);
    const orderId = placed.data.orderId;
    await world.publish(placed);
    const received = (await arrived(userId, 2))[1];
    expect(received.subject).toBe(`We received your order ${orderId}`);
    expect(received.text).toContain('2 × MUG-1 at $12.50 = $25.00');
    expect(received.text).toContain('Total: $28.99');

    await world.publish(orderConfirmed(userId, orderId));
    const confirmed = (await arrived(userId, 3))[2];
    expect(confirmed.subject).toBe(`Your order ${orderId} is confirmed`);

    const other = orderPlaced(userId).data.orderId;
    await world.publish(orderCancelled(userId, other, 'PAYMENT_DECLINED'));
    const cancelled = (await arrived(userId, 4))[3];
    expect(cancelled.subject).toBe(`Your order ${other} was cancelled`);
    expect(cancelled.text).toContain('Your payment was declined.');
    expect(cancelled.to).toEqual([emailOf(userId)]);
  });

  it('sends no second email for a redelivered order event, under the same or a new event id', async () => {
    const user = userCreated();
    const userId = user.data.userId;
    const placed = orderPlaced(userId);
    const orderId = placed.data.orderId;
    const confirmed = orderConfirmed(userId, orderId);
    const cancelled = orderCancelled(userId, randomUUID(), 'CUSTOMER_CANCELLED');
    await world.publish(user, placed, confirmed, cancelled);
    await arrived(userId, 4);

    const redelivered = [anew(placed), anew(confirmed), anew(cancelled)];
    await world.publish(placed, confirmed, cancelled, ...redelivered);
    await world.handled(...redelivered);
    await world.drained();
    expect(mailsTo(userId).map((m) => m.subject)).toHaveLength(4);
    expect((await world.rowsOf(userId)).map((r) => r.type).sort()).toEqual([
      'ORDER_CANCELLED',
      'ORDER_CONFIRMED',
      'ORDER_RECEIVED',
      'WELCOME',
    ]);
  });

  it('holds an order email for a user it does not know yet, and sends it once user.created arrives', async () => {
    const userId = randomUUID();
    const placed = orderPlaced(userId);
    await world.publish(placed);
    await world.handled(placed);
    // Every email that can go has gone; this one is waiting, untried, not failed.
    await world.drained();
    expect(await world.rowsOf(userId)).toMatchObject([
      { type: 'ORDER_RECEIVED', sent_at: null, attempts: 0, last_error: null },
    ]);
    expect(mailsTo(userId)).toHaveLength(0);

    await world.publish(userCreated(userId));
    const mails = await arrived(userId, 2);
    await world.drained();
    expect(mails.map((m) => m.subject).sort()).toEqual(
      [`We received your order ${placed.data.orderId}`, 'Welcome to Commerce, Ada'].sort(),
    );
    expect(mailsTo(userId)).toHaveLength(2);
  });

  it('loses nothing while SMTP refuses: it backs off, and sends exactly once when SMTP accepts again', async () => {
    const user = userCreated();
    const userId = user.data.userId;
    await world.publish(user);
    await arrived(userId, 1);

    world.smtp.refuse(true);
    try {
      const cancelled = orderCancelled(userId, randomUUID(), 'OUT_OF_STOCK');
      await world.publish(cancelled);
      const failing = await waitFor(
        async () => {
          const row = (await world.rowsOf(userId)).find((r) => r.type === 'ORDER_CANCELLED');
          return row && row.attempts >= 2 && row;
        },
        { what: 'the refused email to be retried' },
      );
      expect(failing.sent_at).toBeNull();
      expect(failing.last_error).toMatch(/451|try again later/);
      expect(mailsTo(userId)).toHaveLength(1);
    } finally {
      world.smtp.refuse(false);
    }
    const mails = await arrived(userId, 2);
    await world.drained();
    expect(mails[1].text).toContain('Some of the items you ordered are out of stock.');
    expect(mailsTo(userId)).toHaveLength(2);
    const sent = (await world.rowsOf(userId)).find((r) => r.type === 'ORDER_CANCELLED')!;
    expect(sent.sent_at).not.toBeNull();
    expect(sent.last_error).toBeNull();
  });
});
