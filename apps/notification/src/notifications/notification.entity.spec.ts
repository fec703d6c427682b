import { describe, expect, it } from 'vitest';
import { messageIdOf, toSentNotification } from './notification.entity.ts';

describe('notification', () => {
  it('has a Message-ID made from its id alone, so a resend carries the same one', () => {
    const id = '0b5c1f3e-8a52-4d7e-9a56-0f1d2c3b4a59';
    expect(messageIdOf(id)).toBe(`<${id}@commerce.local>`);
    expect(messageIdOf(id)).toBe(messageIdOf(id));
  });

  it('shows its owner the order it is about, and no orderId at all for a welcome', () => {
    const sentAt = new Date('2026-11-23T10:00:00.123Z');
    expect(toSentNotification({ id: 'n-1', type: 'ORDER_CONFIRMED', orderId: 'o-1', subject: 'S', sentAt })).toEqual({
      id: 'n-1',
      type: 'ORDER_CONFIRMED',
      orderId: 'o-1',
      subject: 'S',
      sentAt: '2026-11-23T10:00:00.123Z',
    });
    const welcome = toSentNotification({ id: 'n-2', type: 'WELCOME', orderId: null, subject: 'Hi', sentAt });
    expect(welcome).not.toHaveProperty('orderId');
  });
});
