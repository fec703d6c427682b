import { describe, expect, it } from 'vitest';
import {
  notificationEvent,
  serverSentEvent,
  sessionEndedEvent,
  SSE_HEARTBEAT,
  SSE_PREAMBLE,
  SSE_RETRY_MS,
  tokenExpiredEvent,
  UnsafeServerSentEventError,
} from './server-sent-events.ts';

/** What a browser's EventSource makes of a stream (WHATWG HTML, "Interpreting an event stream"). */
function interpret(stream: string) {
  const events: Array<{ type: string; data: string; lastEventId: string }> = [];
  let reconnectMs: number | undefined;
  let type = '';
  let data = '';
  let lastEventId = '';
  for (const line of stream.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data !== '') events.push({ type: type || 'message', data: data.replace(/\n$/, ''), lastEventId });
      type = '';
      data = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data += `${value}\n`;
    else if (field === 'id' && !value.includes('\0')) lastEventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) reconnectMs = Number(value);
  }
  return { events, reconnectMs };
}

const ID = '6f1c1b8e-3c1a-4e8a-9a57-1f1f0a5b2c3d';

describe('server-sent events', () => {
  it('frames a notification as one `notification` event with its id and one data line', () => {
    const notification = {
      id: ID,
      type: 'ORDER_CANCELLED' as const,
      orderId: 'o-1',
      subject: 'line one\nline two\r\n\nid: forged\n\nevent: notification',
      sentAt: '2026-11-23T10:00:00.000Z',
    };
    const frame = notificationEvent(notification)!;
    expect(frame).toBe(`id: ${ID}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`);
    expect(frame.trimEnd().split('\n')).toHaveLength(3);
    const { events } = interpret(frame);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'notification', lastEventId: ID });
    expect(JSON.parse(events[0].data)).toEqual(notification);
  });

  it('writes nothing for a notification with a field it does not check: an id that is not a uuid, an unknown key or type', () => {
    const good = { id: ID, type: 'WELCOME' as const, subject: 'Hi', sentAt: '2026-11-23T10:00:00.000Z' };
    for (const bad of [
      { ...good, id: `${ID}\n\nevent: notification\ndata: {"subject":"forged"}` },
      { ...good, id: 'n-1' },
      { ...good, type: 'PASSWORD_RESET' },
      { ...good, sentAt: 'yesterday\n' },
      { ...good, userId: 'someone-else' },
    ])
      expect(notificationEvent(bad as never), JSON.stringify(bad)).toBeUndefined();
  });

  it('never writes a raw line break or an unchecked name or id', () => {
    expect(() => serverSentEvent('notification', {}, 'x\ny')).toThrow(UnsafeServerSentEventError);
    expect(() => serverSentEvent('notification\ndata: x', {})).toThrow(UnsafeServerSentEventError);
    expect(() => serverSentEvent('notification', undefined)).toThrow(UnsafeServerSentEventError);
    expect(interpret(serverSentEvent('notification', { a: '\r\n\n\u2028' })).events).toEqual([
      { type: 'notification', data: JSON.stringify({ a: '\r\n\n\u2028' }), lastEventId: '' },
    ]);
  });

  it('ends an expired stream with a `token-expired` event that a client can act on', () => {
    const { events } = interpret(tokenExpiredEvent());
    expect(events).toEqual([{ type: 'token-expired', data: expect.any(String), lastEventId: '' }]);
    expect(JSON.parse(events[0].data).detail).toMatch(/expired/);
  });

  it('ends the stream of an ended session with a `session-ended` event naming a known reason only', () => {
    const { events } = interpret(sessionEndedEvent('LOGGED_OUT'));
    expect(events).toEqual([{ type: 'session-ended', data: expect.any(String), lastEventId: '' }]);
    expect(JSON.parse(events[0].data)).toEqual({ reason: 'LOGGED_OUT', detail: expect.stringMatching(/log in again/) });
    // A reason this app does not know (a row written otherwise) is left out, not echoed.
    const unknown = interpret(sessionEndedEvent('x\n\nevent: notification')).events;
    expect(unknown).toHaveLength(1);
    expect(JSON.parse(unknown[0].data)).not.toHaveProperty('reason');
  });

  it('starts by telling the browser how long to wait before it reconnects, without an event', () => {
    const { events, reconnectMs } = interpret(SSE_PREAMBLE);
    expect(reconnectMs).toBe(SSE_RETRY_MS);
    expect(events).toEqual([]);
  });

  it('keeps alive with traffic that the browser ignores, even between events', () => {
    expect(SSE_HEARTBEAT.trim()).not.toBe('');
    expect(interpret(SSE_HEARTBEAT).events).toEqual([]);
    const notification = { id: ID, type: 'WELCOME' as const, subject: 'Hi', sentAt: '2026-11-23T10:00:00.000Z' };
    const stream = [SSE_PREAMBLE, SSE_HEARTBEAT, notificationEvent(notification), SSE_HEARTBEAT, SSE_HEARTBEAT].join(
      '',
    );
    expect(interpret(stream).events.map((e) => JSON.parse(e.data))).toEqual([notification]);
  });
});
