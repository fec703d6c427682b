import { APP_CONFIG, type AuthenticatedUser, problem } from '@commerce/platform';
import { type BeforeApplicationShutdown, HttpException, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { NotificationConfig } from '../notification.config.ts';
import { SentNotificationFeed } from './sent-notification-feed.ts';
import { notificationEvent, SSE_HEARTBEAT, SSE_PREAMBLE, tokenExpiredEvent } from './server-sent-events.ts';

/** Seconds a client refused a stream (429 or 503) is told to wait before it asks again. */
export const STREAM_REFUSED_RETRY_AFTER_SECONDS = 10;

/** One open stream: whose it is, when its token expires, and how it is written to and ended. */
interface OpenStream {
  userId: string;
  /** Epoch ms of the token's expiry; the stream ends then. */
  expiresAt: number;
  send(chunk: string): void;
  end(): void;
}

/**
 * The open `text/event-stream` responses. Each gets its user's notifications as they are sent; one
 * timer for all of them writes the heartbeat and ends each stream whose token has expired (within a
 * heartbeat of it): a stream never outlives the token it was opened with. A user holds at most
 * SSE_MAX_STREAMS_PER_USER at once (429 beyond), the app SSE_MAX_STREAMS (503 beyond). All are ended
 * before the HTTP server closes, which would otherwise wait for them.
 */
@Injectable()
export class NotificationStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<OpenStream>();
  private readonly perUser = new Map<string, number>();
  private ticker?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly feed: SentNotificationFeed,
    @Inject(APP_CONFIG) private readonly config: NotificationConfig,
  ) {}

  /**
   * Streams `user`'s notifications on `response` until the client goes away, the token expires or
   * the app stops. Throws 429 or 503 (nothing written) when a cap is reached.
   */
  stream(user: AuthenticatedUser, response: Response): void {
    // Checked and counted before anything is written: no await between here and the count.
    this.admit(user.id, response);
    // Node's own writeHead, not Express' set(): that would add `; charset=utf-8` to the type.
    response.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      // nginx-style proxies would otherwise buffer the events.
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    response.flushHeaders();
    // Nothing is written to a response that has ended or whose client has gone.
    const send = (chunk: string) => {
      if (!response.writableEnded && !response.destroyed) response.write(chunk);
    };
    const unsubscribe = this.feed.subscribe(user.id, (notification) => {
      const frame = notificationEvent(notification);
      if (frame) send(frame);
    });
    const stream: OpenStream = {
      userId: user.id,
      // A token without exp is not verified (requiredClaims); a day bounds one made by hand.
      expiresAt: user.expiresAt?.getTime() ?? Date.now() + 86_400_000,
      send,
      end: () => {
        if (!this.open.delete(stream)) return;
        unsubscribe();
        this.release(user.id);
        response.end();
      },
    };
    this.open.add(stream);
    response.on('close', stream.end);
    send(SSE_PREAMBLE);
    if (this.closing) stream.end();
    this.tick();
  }

  /** How many streams are open. */
  get size(): number {
    return this.open.size;
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const stream of [...this.open]) stream.end();
  }

  private admit(userId: string, response: Response): void {
    const refuse = (status: number, detail: string): never => {
      response.setHeader('Retry-After', String(STREAM_REFUSED_RETRY_AFTER_SECONDS));
      throw new HttpException(problem(status, detail), status);
    };
    if ((this.perUser.get(userId) ?? 0) >= this.config.SSE_MAX_STREAMS_PER_USER)
      refuse(429, `At most ${this.config.SSE_MAX_STREAMS_PER_USER} notification streams may be open at once per user.`);
    if (this.open.size >= this.config.SSE_MAX_STREAMS)
      refuse(503, 'Too many notification streams are open on this server; try again shortly.');
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
  }

  private release(userId: string): void {
    const left = (this.perUser.get(userId) ?? 1) - 1;
    if (left > 0) this.perUser.set(userId, left);
    else this.perUser.delete(userId);
    if (this.open.size === 0) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  /** Starts the one timer while streams are open: each beat, a heartbeat or, for an expired token, the end. */
  private tick(): void {
    if (this.ticker || this.open.size === 0) return;
    this.ticker = setInterval(() => {
      const now = Date.now();
      for (const stream of [...this.open]) {
        if (stream.expiresAt > now) {
          stream.send(SSE_HEARTBEAT);
          continue;
        }
        stream.send(tokenExpiredEvent());
        stream.end();
      }
    }, this.config.SSE_HEARTBEAT_MS);
  }
}
