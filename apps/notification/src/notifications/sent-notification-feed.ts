import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Subject, type Subscription } from 'rxjs';
import { NotificationSignals } from './notification-signals.ts';
import type { SentNotification, SentNotificationOf } from './notification.view.ts';
import { NotificationsRepository } from './notifications.repository.ts';

// An announced notification is read within this long of its sending (at once, in practice); an older
// id, which anyone could announce, is not streamed again.
const ANNOUNCED_WITHIN_MS = 60_000;
// Ids announced while a read is in flight wait for the next one; beyond this many they are dropped
// (NOTIFY is not durable anyway): a flood of announcements costs one read at a time, of bounded size.
const MAX_WAITING_IDS = 5000;

/**
 * Sent notifications as they happen, for the streams: what this replica's dispatcher sends (at
 * once, after its commit) and what other replicas announce over LISTEN/NOTIFY, read back from this
 * schema by id. NOTIFY is not durable: a notification sent while this replica's LISTEN connection
 * was down is not streamed here, but it is in GET /api/notifications.
 */
@Injectable()
export class SentNotificationFeed implements OnModuleDestroy {
  private readonly sent = new Subject<SentNotificationOf>();
  private readonly logger = new Logger('SentNotificationFeed');
  private readonly announced: Subscription;
  private readonly waiting = new Set<string>();
  private reading?: Promise<void>;
  private listeners = 0;

  constructor(
    signals: NotificationSignals,
    private readonly notifications: NotificationsRepository,
  ) {
    this.announced = signals.sentElsewhere.subscribe((ids) => this.readAnnounced(ids));
  }

  onModuleDestroy(): Promise<void> | undefined {
    this.announced.unsubscribe();
    return this.reading;
  }

  /** Streams a notification that this replica has just sent (its transaction committed). */
  publish(notification: SentNotificationOf): void {
    this.sent.next(notification);
  }

  /** Calls `listener` with each notification sent to `userId` until the returned function is called. */
  subscribe(userId: string, listener: (notification: SentNotification) => void): () => void {
    this.listeners++;
    const subscription = this.sent.subscribe(({ userId: owner, ...notification }) => {
      if (owner === userId) listener(notification);
    });
    return () => {
      if (subscription.closed) return;
      subscription.unsubscribe();
      this.listeners--;
    };
  }

  /** Reads announced ids from this schema, one read at a time; nobody streaming, nothing read. */
  private readAnnounced(ids: readonly string[]): void {
    if (this.listeners === 0) return;
    for (const id of ids) if (this.waiting.size < MAX_WAITING_IDS) this.waiting.add(id);
    this.reading ??= this.drain().finally(() => (this.reading = undefined));
  }

  private async drain(): Promise<void> {
    while (this.waiting.size > 0) {
      const ids = [...this.waiting];
      this.waiting.clear();
      try {
        for (const notification of await this.notifications.findRecentlySent(ids, ANNOUNCED_WITHIN_MS))
          this.sent.next(notification);
      } catch (error) {
        this.logger.warn({ err: error }, 'announced notifications could not be read; not streamed here');
      }
    }
  }
}
