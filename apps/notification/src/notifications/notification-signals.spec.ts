import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ANNOUNCEMENT_MAX_BYTES, announcements, readAnnouncement } from './notification-signals.ts';

const origin = randomUUID();
const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('announcements of sent notifications', () => {
  it('carries the sender and the ids only, in one payload when they fit', () => {
    const batch = ids(3);
    const payloads = announcements(origin, batch);
    expect(payloads).toEqual([JSON.stringify({ origin, ids: batch })]);
    expect(readAnnouncement(payloads[0])).toEqual({ origin, ids: batch });
  });

  it('splits many ids into as few payloads as stay under the limit, every id once, in order', () => {
    const batch = ids(1000);
    const payloads = announcements(origin, batch);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(ANNOUNCEMENT_MAX_BYTES);
    // As full as they can be: one more id would not have fitted the first.
    expect(Buffer.byteLength(payloads[0]) + 39).toBeGreaterThan(ANNOUNCEMENT_MAX_BYTES);
    expect(payloads.flatMap((p) => readAnnouncement(p)!.ids)).toEqual(batch);
  });

  it('announces nothing for nothing', () => {
    expect(announcements(origin, [])).toEqual([]);
  });

  it('reads nothing that another role could have forged beyond uuids: no notification, no newline, no extra key', () => {
    const forged = [
      // The old format, carrying a notification to stream as it is.
      JSON.stringify({
        origin,
        notifications: [{ id: 'x\nevent: notification\ndata: {}', userId: 'u', subject: 'Hi' }],
      }),
      JSON.stringify({ origin, ids: ['x\n\nevent: notification\ndata: {"subject":"pwned"}'] }),
      JSON.stringify({ origin, ids: [randomUUID()], notifications: [] }),
      JSON.stringify({ origin: 'someone', ids: [randomUUID()] }),
      JSON.stringify({ origin, ids: [] }),
      JSON.stringify({ origin, ids: [`${randomUUID()}\n`] }),
      JSON.stringify({ origin, ids: ids(300) }),
      '',
      'not json',
      'null',
    ];
    for (const payload of forged) expect(readAnnouncement(payload), payload.slice(0, 60)).toBeUndefined();
  });
});
