import { describe, expect, it } from 'vitest';
import { ANNOUNCEMENT_MAX_BYTES, announcements } from './notification-signals.ts';
import type { SentNotificationOf } from './notification.view.ts';

const sent = (i: number, subject = `We received your order ${i}`): SentNotificationOf => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  userId: `user-${i}`,
  type: 'ORDER_RECEIVED',
  orderId: `order-${i}`,
  subject,
  sentAt: '2026-11-23T10:00:00.000Z',
});

const read = (payload: string) => JSON.parse(payload) as { origin: string; notifications: SentNotificationOf[] };

describe('announcements', () => {
  it('announces a batch in one payload when it fits', () => {
    const batch = [sent(1), sent(2), sent(3)];
    const { payloads, tooBig } = announcements('replica-a', batch);
    expect(payloads.map(read)).toEqual([{ origin: 'replica-a', notifications: batch }]);
    expect(tooBig).toEqual([]);
  });

  it('splits a batch into as few payloads as stay under the limit, every notification once, in order', () => {
    const batch = Array.from({ length: 200 }, (_, i) => sent(i, `Welcome to Commerce, Zoë ${'x'.repeat(i % 40)}`));
    const { payloads } = announcements('replica-a', batch);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(ANNOUNCEMENT_MAX_BYTES);
    expect(payloads.flatMap((p) => read(p).notifications)).toEqual(batch);
    // Each payload is as full as it can be: the next one's first notification would not have fitted.
    for (let i = 0; i + 1 < payloads.length; i++) {
      const next = JSON.stringify(read(payloads[i + 1]).notifications[0]);
      expect(Buffer.byteLength(payloads[i]) + 1 + Buffer.byteLength(next)).toBeGreaterThan(ANNOUNCEMENT_MAX_BYTES);
    }
  });

  it('leaves out a notification too big for any payload, and announces the rest', () => {
    const huge = sent(2, 'x'.repeat(ANNOUNCEMENT_MAX_BYTES));
    const { payloads, tooBig } = announcements('replica-a', [sent(1), huge, sent(3)]);
    expect(tooBig).toEqual([huge]);
    expect(payloads.flatMap((p) => read(p).notifications)).toEqual([sent(1), sent(3)]);
  });

  it('announces nothing for nothing', () => {
    expect(announcements('replica-a', [])).toEqual({ payloads: [], tooBig: [] });
  });
});
