import { describe, expect, it } from 'vitest';
import { notificationEvent, SSE_HEARTBEAT, SSE_PREAMBLE } from './server-sent-events.ts';

describe('server-sent events', () => {
  it('frames a notification as one `notification` event with its id and one data line', () => {
    const notification = {
      id: 'n-1',
      type: 'ORDER_CANCELLED' as const,
      orderId: 'o-1',
      subject: 'line one\nline two',
      sentAt: '2026-11-23T10:00:00.000Z',
    };
    const frame = notificationEvent(notification);
    expect(frame).toBe(`id: n-1\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
    expect(frame.trimEnd().split('\n')).toHaveLength(3);
    expect(JSON.parse(frame.split('\n')[2].slice('data: '.length))).toEqual(notification);
  });

  it('starts with the reconnect delay and keeps alive with a comment', () => {
    expect(SSE_PREAMBLE).toBe('retry: 3000\n\n');
    expect(SSE_HEARTBEAT).toBe(': heartbeat\n\n');
  });
});
