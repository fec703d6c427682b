import { randomUUID } from 'node:crypto';
import { APP_CONFIG, PgListener, schemaOf } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import { Subject } from 'rxjs';
import type { NotificationConfig } from '../notification.config.ts';
import type { NotificationTransaction } from '../notification.database.ts';
import type { SentNotificationOf } from './notification.view.ts';

// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; each announcement stays below this.
export const ANNOUNCEMENT_MAX_BYTES = 7900;

/** What one announcement of sent emails carries: who sent them, and what they are. */
interface Announcement {
  origin: string;
  notifications: SentNotificationOf[];
}

/**
 * The NOTIFY payloads announcing `sent`: as few as fit `maxBytes` each, in order. A notification too
 * big for a payload of its own is left out (returned apart): other replicas do not stream it, the
 * list has it; failing the statement would undo the marks of emails already sent.
 */
export function announcements(
  origin: string,
  sent: readonly SentNotificationOf[],
  maxBytes = ANNOUNCEMENT_MAX_BYTES,
): { payloads: string[]; tooBig: SentNotificationOf[] } {
  const payloads: string[] = [];
  const tooBig: SentNotificationOf[] = [];
  // {"origin":…,"notifications":[a,b,…]}, built from each notification's JSON, written once.
  const head = `{"origin":${JSON.stringify(origin)},"notifications":[`;
  const tail = ']}';
  const fixedBytes = Buffer.byteLength(head) + tail.length;
  let items: string[] = [];
  let bytes = fixedBytes;
  for (const notification of sent) {
    const item = JSON.stringify(notification);
    const itemBytes = Buffer.byteLength(item);
    if (fixedBytes + itemBytes > maxBytes) {
      tooBig.push(notification);
      continue;
    }
    if (items.length && bytes + 1 + itemBytes > maxBytes) {
      payloads.push(head + items.join(',') + tail);
      items = [];
      bytes = fixedBytes;
    }
    bytes += (items.length ? 1 : 0) + itemBytes;
    items.push(item);
  }
  if (items.length) payloads.push(head + items.join(',') + tail);
  return { payloads, tooBig };
}

/**
 * What Postgres tells every replica at commit, over one LISTEN connection: an email was recorded
 * (a trigger on notifications; it wakes the dispatchers) and emails were sent (announced by the
 * replica that sent them, a batch at a time, so every replica's streams see them, not only the sender's).
 */
@Injectable()
export class NotificationSignals implements OnApplicationBootstrap, OnModuleDestroy {
  /** This process: its own announcements are not news to it (it streams what it sends at once). */
  readonly origin = randomUUID();
  /** A transaction that recorded an email has committed, here or on another replica. */
  readonly pending = new Subject<void>();
  /** Another replica has sent an email. */
  readonly sentElsewhere = new Subject<SentNotificationOf>();
  private readonly logger = new Logger('NotificationSignals');
  private readonly pendingChannel: string;
  private readonly sentChannel: string;
  private readonly listener: PgListener;

  constructor(@Inject(APP_CONFIG) private readonly config: NotificationConfig) {
    const schema = schemaOf(config.DATABASE_URL);
    this.pendingChannel = `${schema}.notification_pending`;
    // Batches of notifications ({ origin, notifications }); the channel was `notification_sent`
    // when it carried one ({ origin, notification }), so the two formats never meet on one channel.
    this.sentChannel = `${schema}.notifications_sent`;
    // If the connection drops, the dispatchers' polling covers the gap until it is back.
    this.listener = new PgListener({
      databaseUrl: config.DATABASE_URL,
      channels: [this.pendingChannel, this.sentChannel],
      onNotification: (message) => this.onNotification(message),
      // Whatever was recorded while nobody listened is due now.
      onListening: () => this.pending.next(),
      retryMs: config.MAIL_POLL_INTERVAL_MS,
      logger: this.logger,
      name: 'notification signals',
    });
  }

  onApplicationBootstrap(): void {
    this.listener.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.listener.stop();
    this.pending.complete();
    this.sentElsewhere.complete();
  }

  /** Whether the LISTEN connection is up (when it is not, polling and local streams still work). */
  get isListening(): boolean {
    return this.listener.isListening;
  }

  /** Tells the other replicas, when `tx` commits, that these emails were sent: one statement. */
  async announceSent(tx: NotificationTransaction, sent: readonly SentNotificationOf[]): Promise<void> {
    const { payloads, tooBig } = announcements(this.origin, sent);
    for (const notification of tooBig)
      this.logger.warn({ notificationId: notification.id }, 'sent notification too big to announce to other replicas');
    if (payloads.length === 0) return;
    await tx.$executeRawUnsafe('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', this.sentChannel, payloads);
  }

  private onNotification(message: pg.Notification): void {
    if (message.channel === this.pendingChannel) {
      this.pending.next();
      return;
    }
    if (message.channel !== this.sentChannel || !message.payload) return;
    try {
      const { origin, notifications } = JSON.parse(message.payload) as Announcement;
      if (origin === this.origin || !Array.isArray(notifications)) return;
      for (const notification of notifications) this.sentElsewhere.next(notification);
    } catch (error) {
      this.logger.warn({ err: error }, 'unreadable sent-notification announcement ignored');
    }
  }
}
