import { createEvent } from '@commerce/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { messageIdOf, orderNotification, welcomeNotification } from './notification.entity.ts';

const orderId = '3f6c2a1e-9b4d-4c8e-a7f2-1d0e5b6c7a89';
const customerId = 'c81d4e2a-6f3b-4a9c-b1e7-2d5f8a0c3e46';
const meta = { source: 'order', aggregateId: orderId, correlationId: '9d1f1f44-5b3a-4a43-8a8e-2f4f3f0b8c11' } as const;

describe('notification', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('has a Message-ID made from its id alone, so a resend carries the same one', () => {
    const id = '0b5c1f3e-8a52-4d7e-9a56-0f1d2c3b4a59';
    expect(messageIdOf(id)).toBe(`<${id}@commerce.local>`);
    // A resend comes later, from another attempt or replica: nothing but the id may change it.
    vi.useFakeTimers({ now: new Date('2026-11-23T10:00:00Z') });
    const first = messageIdOf(id);
    vi.setSystemTime(new Date('2026-12-24T18:30:00Z'));
    expect(messageIdOf(id)).toBe(first);
    // And another notification's email is not taken for a copy of this one.
    expect(messageIdOf('7e0a4c2d-1b9f-4e6a-8c3d-5f2e1a0b9c87')).not.toBe(first);
  });

  it('makes one email per order event, named by the order and why it is sent', () => {
    const placed = orderNotification(
      createEvent(
        'order.placed',
        {
          orderId,
          customerId,
          items: [{ sku: 'MUG-1', quantity: 2, unitPriceCents: 1250 }],
          totalCents: 2500,
          currency: 'USD',
          paymentToken: 'tok_ok',
        },
        meta,
      ),
    );
    const confirmed = orderNotification(
      createEvent('order.confirmed', { orderId, customerId, totalCents: 2500, currency: 'USD' }, meta),
    );
    const cancelled = orderNotification(
      createEvent('order.cancelled', { orderId, customerId, reason: 'PAYMENT_DECLINED' }, meta),
    );
    expect(placed).toMatchObject({ userId: customerId, type: 'ORDER_RECEIVED', orderId });
    expect(confirmed).toMatchObject({ userId: customerId, type: 'ORDER_CONFIRMED', orderId });
    expect(cancelled).toMatchObject({ userId: customerId, type: 'ORDER_CANCELLED', orderId });
    expect(placed.subject).toBe(`We received your order ${orderId}`);
    expect(confirmed.subject).toBe(`Your order ${orderId} is confirmed`);
    expect(cancelled.body).toContain('Your payment was declined.');
  });

  it('welcomes a user with an email of no order, to that user', () => {
    const welcome = welcomeNotification({ userId: 'u-1', email: 'ada@example.com', name: 'Ada' });
    expect(welcome).toMatchObject({ userId: 'u-1', type: 'WELCOME', orderId: null });
    expect(welcome.subject).toBe('Welcome to Commerce, Ada');
  });
});
