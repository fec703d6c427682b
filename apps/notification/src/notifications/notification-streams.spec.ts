import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationConfig } from '../notification.config.ts';
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

describe('NotificationStreams', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one timer for every open stream, and none once they are closed', () => {
    const streams = new NotificationStreams(feed, config);
    const responses = Array.from({ length: 10 }, (_, i) => {
      const response = new RecordedResponse();
      streams.stream(
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
    const streams = new NotificationStreams(feed, config);
    const soon = new RecordedResponse();
    const later = new RecordedResponse();
    streams.stream({ id: 'a', roles: [], expiresAt: new Date(Date.now() + 2500) }, soon as unknown as Response);
    streams.stream({ id: 'b', roles: [], expiresAt: new Date(Date.now() + 60_000) }, later as unknown as Response);
    vi.advanceTimersByTime(2 * HEARTBEAT_MS);
    expect(soon.writableEnded).toBe(false);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(soon.writableEnded).toBe(true);
    expect(soon.written).toMatch(/event: token-expired\n/);
    expect(later.writableEnded).toBe(false);
    expect(streams.size).toBe(1);
  });
});
