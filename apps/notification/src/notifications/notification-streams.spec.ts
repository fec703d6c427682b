import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationConfig } from '../notification.config.ts';
import type { EndedSession, EndedSessionsRepository } from './ended-sessions.repository.ts';
import type { NotificationSignals } from './notification-signals.ts';
import { NotificationStreams } from './notification-streams.ts';
import type { SentNotificationFeed } from './sent-notification-feed.ts';

/** Just what the streams use of an HTTP response: headers, writes, the end and its `close` event. */
class RecordedResponse extends EventEmitter {
  written = '';
  headers = 0;
  writableEnded = false;
  destroyed = false;
  writeHead() {
    this.headers++;
  }
  flushHeaders() {
    this.headers++;
  }
  setHeader() {
    this.headers++;
  }
  write(chunk: string) {
    this.written += chunk;
  }
  end() {
    this.writableEnded = true;
  }
}

const HEARTBEAT_MS = 1000;
const config = {
  SSE_HEARTBEAT_MS: HEARTBEAT_MS,
  SSE_MAX_STREAMS_PER_USER: 100,
  SSE_MAX_STREAMS: 100,
} as NotificationConfig;
const feed = { subscribe: () => () => undefined } as unknown as SentNotificationFeed;

/** The streams with an ended-sessions table of `ended` and announcements the test makes. */
function streamsOf(ended: EndedSession[] = []) {
  const sessionsEnded = new Subject<string[]>();
  const reads: string[][] = [];
  const endedSessions = {
    findEnded: async (ids: readonly string[]) => {
      reads.push([...ids]);
      return ended.filter((session) => ids.includes(session.sessionId));
    },
  } as unknown as EndedSessionsRepository;
  const signals = { sessionsEnded } as unknown as NotificationSignals;
  return { streams: new NotificationStreams(feed, endedSessions, signals, config), sessionsEnded, reads, ended };
}

describe('NotificationStreams', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one timer for every open stream, and none once they are closed', () => {
    const { streams } = streamsOf();
    const responses = Array.from({ length: 10 }, (_, i) => {
      const response = new RecordedResponse();
      void streams.stream(
        { id: `user-${i}`, roles: [], expiresAt: new Date(Date.now() + 60_000) },
        response as unknown as Response,
      );
      return response;
    });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    for (const response of responses) expect(response.written).toContain(': heartbeat');
    for (const response of responses) response.emit('close');
    expect(streams.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("ends a stream within a heartbeat of its token's expiry, and only that one", () => {
    const { streams } = streamsOf();
    const soon = new RecordedResponse();
    const later = new RecordedResponse();
    void streams.stream({ id: 'a', roles: [], expiresAt: new Date(Date.now() + 2500) }, soon as unknown as Response);
    void streams.stream({ id: 'b', roles: [], expiresAt: new Date(Date.now() + 60_000) }, later as unknown as Response);
    vi.advanceTimersByTime(2 * HEARTBEAT_MS);
    expect(soon.writableEnded).toBe(false);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(soon.writableEnded).toBe(true);
    expect(soon.written).toMatch(/event: token-expired\n/);
    expect(later.writableEnded).toBe(false);
    expect(streams.size).toBe(1);
  });

  it('ends the streams of an announced session that the table says has ended, and no other', async () => {
    const { streams, sessionsEnded, ended } = streamsOf();
    const [mine, myOther, forged] = [new RecordedResponse(), new RecordedResponse(), new RecordedResponse()];
    const expiresAt = new Date(Date.now() + 60_000);
    await streams.stream({ id: 'a', roles: [], expiresAt, sessionId: 's-1' }, mine as unknown as Response);
    await streams.stream({ id: 'a', roles: [], expiresAt, sessionId: 's-2' }, myOther as unknown as Response);
    await streams.stream({ id: 'b', roles: [], expiresAt, sessionId: 's-3' }, forged as unknown as Response);
    // An announcement alone proves nothing: s-3 is not in the table.
    ended.push({ sessionId: 's-1', userId: 'a', reason: 'LOGGED_OUT' });
    sessionsEnded.next(['s-1', 's-3']);
    await vi.waitFor(() => expect(mine.writableEnded).toBe(true));
    expect(mine.written).toMatch(/event: session-ended\ndata: \{"reason":"LOGGED_OUT","detail":"The session has ended/);
    expect(myOther.writableEnded).toBe(false);
    expect(forged.writableEnded).toBe(false);
    expect(streams.size).toBe(2);
  });

  it('ends a stream of an ended session at its next heartbeat when no announcement came', async () => {
    const { streams, ended, reads } = streamsOf();
    const response = new RecordedResponse();
    await streams.stream(
      { id: 'a', roles: [], expiresAt: new Date(Date.now() + 60_000), sessionId: 's-1' },
      response as unknown as Response,
    );
    ended.push({ sessionId: 's-1', userId: 'a', reason: 'REFRESH_TOKEN_REUSED' });
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(reads.at(-1)).toEqual(['s-1']);
    expect(response.writableEnded).toBe(true);
    expect(response.written).toMatch(/event: session-ended\ndata: \{"reason":"REFRESH_TOKEN_REUSED"/);
  });

  it('opens no stream for a session that has ended (401, nothing written)', async () => {
    const { streams } = streamsOf([{ sessionId: 's-1', userId: 'a', reason: 'LOGGED_OUT' }]);
    const response = new RecordedResponse();
    await expect(
      streams.stream(
        { id: 'a', roles: [], expiresAt: new Date(Date.now() + 60_000), sessionId: 's-1' },
        response as unknown as Response,
      ),
    ).rejects.toMatchObject({ status: 401 });
    expect(response.written).toBe('');
    expect(streams.size).toBe(0);
  });
});
