import { APP_CONFIG } from '@commerce/platform';
import { type BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { NotificationConfig } from '../notification.config.ts';
import { SentNotificationFeed } from './sent-notification-feed.ts';
import { notificationEvent, SSE_HEARTBEAT, SSE_PREAMBLE } from './server-sent-events.ts';

/**
 * The open `text/event-stream` responses. Each gets its user's notifications as they are sent and a
 * heartbeat comment; all are ended before the HTTP server closes, which would otherwise wait for them.
 */
@Injectable()
export class NotificationStreams implements BeforeApplicationShutdown {
  private readonly open = new Set<() => void>();
  private closing = false;

  constructor(
    private readonly feed: SentNotificationFeed,
    @Inject(APP_CONFIG) private readonly config: NotificationConfig,
  ) {}

  /** Streams `userId`'s notifications on `response` until the client goes away or the app stops. */
  stream(userId: string, response: Response): void {
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
    send(SSE_PREAMBLE);
    if (this.closing) {
      response.end();
      return;
    }
    const unsubscribe = this.feed.subscribe(userId, (notification) => send(notificationEvent(notification)));
    const heartbeat = setInterval(() => send(SSE_HEARTBEAT), this.config.SSE_HEARTBEAT_MS);
    const end = () => {
      if (!this.open.delete(end)) return;
      clearInterval(heartbeat);
      unsubscribe();
      response.end();
    };
    this.open.add(end);
    response.on('close', end);
  }

  /** How many streams are open. */
  get size(): number {
    return this.open.size;
  }

  beforeApplicationShutdown(): void {
    this.closing = true;
    for (const end of [...this.open]) end();
  }
}
