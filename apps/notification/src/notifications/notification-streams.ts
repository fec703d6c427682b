import { APP_CONFIG, type AuthenticatedUser, problem } from '@commerce/platform';
import { type BeforeApplicationShutdown, HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { Subscription } from 'rxjs';
import type { NotificationConfig } from '../notification.config.ts';
import { type EndedSession, EndedSessionsRepository } from './ended-sessions.repository.ts';
import { NotificationSignals } from './notification-signals.ts';
import { SentNotificationFeed } from './sent-notification-feed.ts';
import {
  notificationEvent,
  sessionEndedEvent,
  SSE_HEARTBEAT,
  SSE_PREAMBLE,
  tokenExpiredEvent,
} from './server-sent-events.ts';

/** Seconds a client refused a stream (429 or 503) is told to wait before it asks again. */
export const STREAM_REFUSED_RETRY_AFTER_SECONDS = 10;

// A session read back as ended is remembered here this long: a stream of it whose check of the table
// began before the end committed is refused once its check is back (the table answers after that).
const RECENTLY_ENDED_MS = 60_000;
// Session ids announced while a read is in flight wait for the next one; beyond this many they are
// dropped (the heartbeat's own check still finds the sessions of the streams open here).
const MAX_WAITING_SESSIONS = 5000;

/** One open stream: whose it is, its session, when its token expires, and how it is written to and ended. */
interface OpenStream {
  userId: string;
  /** The login session of its token (`sid`); a token without one is ended by its expiry only. */
  sessionId?: string;
  /** Epoch ms of the token's expiry; the stream ends then. */
  expiresAt: number;
  send(chunk: string): void;
  end(): void;
}

/**
 * The open `text/event-stream` responses. Each gets its user's notifications as they are sent; one
 * timer for all of them writes the heartbeat and ends each stream whose token has expired (within a
 * heartbeat of it): a stream never outlives the token it was opened with. A stream of a login session
 * that has ended (`session.ended`: logout, a revoked refresh family) ends as soon as this replica
 * hears the announcement, or at its next heartbeat, which checks the open streams' sessions against
 * the table; and no stream opens for one. A user holds at most SSE_MAX_STREAMS_PER_USER at once (429
 * beyond), the app SSE_MAX_STREAMS (503 beyond). All are ended before the HTTP server closes, which
 * would otherwise wait for them.
 */
@Injectable()
export class NotificationStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger('NotificationStreams');
  private readonly open = new Set<OpenStream>();
  private readonly perUser = new Map<string, number>();
  /** Sessions read back as ended, with when: see RECENTLY_ENDED_MS. */
  private readonly recentlyEnded = new Map<string, number>();
  private readonly waitingSessions = new Set<string>();
  private readonly announced: Subscription;
  private reading?: Promise<void>;
  /** Streams between their check of the table and their opening. */
  private opening = 0;
  private ticker?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly feed: SentNotificationFeed,
    private readonly endedSessions: EndedSessionsRepository,
    signals: NotificationSignals,
    @Inject(APP_CONFIG) private readonly config: NotificationConfig,
  ) {
    this.announced = signals.sessionsEnded.subscribe((ids) => this.checkSessions(ids));
  }

  /**
   * Streams `user`'s notifications on `response` until the client goes away, the token expires, its
   * session ends or the app stops. Throws 401 when its session has ended, 429 or 503 when a cap is
   * reached (nothing written).
   */
  async stream(user: AuthenticatedUser, response: Response): Promise<void> {
    const { sessionId } = user;
    if (sessionId) {
      this.opening++;
      try {
        if ((await this.endedSessions.findEnded([sessionId])).length > 0) this.refuseEnded(response);
      } finally {
        this.opening--;
      }
    }
    // Checked and counted before anything is written: no await between here and the count.
    if (sessionId && this.recentlyEnded.has(sessionId)) this.refuseEnded(response);
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
      sessionId,
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

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.announced.unsubscribe();
    for (const stream of [...this.open]) stream.end();
    await this.reading;
  }

  /** 401: the token's session has ended; its holder logs in again (a new session, a new token). */
  private refuseEnded(response: Response): never {
    response.setHeader('WWW-Authenticate', 'Bearer');
    throw new HttpException(problem(401, 'This session has ended; log in again to open a stream.'), 401);
  }

  /** Reads which of these sessions have ended, one read at a time, and ends their streams here. */
  private checkSessions(sessionIds: Iterable<string>): void {
    // Nobody streaming or about to: nothing to end, nothing read.
    if (this.closing || (this.open.size === 0 && this.opening === 0)) return;
    for (const id of sessionIds) if (this.waitingSessions.size < MAX_WAITING_SESSIONS) this.waitingSessions.add(id);
    if (this.waitingSessions.size === 0) return;
    this.reading ??= this.readEndedSessions().finally(() => (this.reading = undefined));
  }

  private async readEndedSessions(): Promise<void> {
    while (this.waitingSessions.size > 0) {
      const ids = [...this.waitingSessions];
      this.waitingSessions.clear();
      try {
        this.endSessions(await this.endedSessions.findEnded(ids));
      } catch (error) {
        // The database is down: the next heartbeat asks again about the sessions still streaming.
        this.logger.warn({ err: error }, 'ended sessions could not be read; their streams are checked again later');
      }
    }
  }

  private endSessions(ended: readonly EndedSession[]): void {
    if (ended.length === 0) return;
    const now = Date.now();
    const reasons = new Map(ended.map((session) => [session.sessionId, session.reason]));
    this.forgetEndedBefore(now - RECENTLY_ENDED_MS);
    for (const id of reasons.keys()) this.recentlyEnded.set(id, now);
    for (const stream of [...this.open]) {
      const reason = stream.sessionId === undefined ? undefined : reasons.get(stream.sessionId);
      if (reason === undefined) continue;
      stream.send(sessionEndedEvent(reason));
      stream.end();
    }
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

  private forgetEndedBefore(time: number): void {
    for (const [id, at] of this.recentlyEnded) if (at < time) this.recentlyEnded.delete(id);
  }

  /**
   * Starts the one timer while streams are open: each beat, a heartbeat or, for an expired token, the
   * end; and one read of whether the open streams' sessions have ended, for an announcement this
   * replica did not hear (its LISTEN connection was down).
   */
  private tick(): void {
    if (this.ticker || this.open.size === 0) return;
    this.ticker = setInterval(() => {
      const now = Date.now();
      this.forgetEndedBefore(now - RECENTLY_ENDED_MS);
      const sessions = new Set<string>();
      for (const stream of this.open) if (stream.sessionId) sessions.add(stream.sessionId);
      if (!this.reading) this.checkSessions(sessions);
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
