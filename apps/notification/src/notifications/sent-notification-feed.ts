import { Injectable } from '@nestjs/common';
import { Subject } from 'rxjs';
import { NotificationSignals } from './notification-signals.ts';
import type { SentNotification, SentNotificationOf } from './notification.view.ts';

/**
 * Sent notifications as they happen, for the streams: what this replica's dispatcher sends (at
 * once, after its commit) and what other replicas announce over LISTEN/NOTIFY. NOTIFY is not
 * durable: a notification sent while this replica's LISTEN connection was down is not streamed
 * here, but it is in GET /api/notifications.
 */
@Injectable()
export class SentNotificationFeed {
  private readonly sent = new Subject<SentNotificationOf>();

  constructor(signals: NotificationSignals) {
    signals.sentElsewhere.subscribe((notification) => this.sent.next(notification));
  }

  /** Streams a notification that this replica has just sent (its transaction committed). */
  publish(notification: SentNotificationOf): void {
    this.sent.next(notification);
  }

  /** Calls `listener` with each notification sent to `userId` until the returned function is called. */
  subscribe(userId: string, listener: (notification: SentNotification) => void): () => void {
    const subscription = this.sent.subscribe(({ userId: owner, ...notification }) => {
      if (owner === userId) listener(notification);
    });
    return () => subscription.unsubscribe();
  }
}
