import { describe, expect, it } from 'vitest';
import { toSentNotification } from './notification.view.ts';

describe('sent notification view', () => {
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
