import { randomUUID } from 'node:crypto';
import { APP_CONFIG, PgListener, schemaOf } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import { Subject } from 'rxjs';
import type { NotificationConfig } from '../notification.config.ts';
import type { NotificationTransaction } from '../notification.database.ts';
import type { SentNotificationOf } from './notification.view.ts';

/**
 * What Postgres tells every replica at commit, over one LISTEN connection: an email was recorded
 * (a trigger on notifications; it wakes the dispatchers) and an email was sent (announced by the
 * replica that sent it, so every replica's streams see it, not only the sender's).
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
    this.sentChannel = `${schema}.notification_sent`;
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

  /** Tells the other replicas, when `tx` commits, that an email was sent. */
  async announceSent(tx: NotificationTransaction, sent: SentNotificationOf): Promise<void> {
    await tx.$executeRawUnsafe(
      'SELECT pg_notify($1, $2)',
      this.sentChannel,
      JSON.stringify({ origin: this.origin, notification: sent }),
    );
  }

  private onNotification(message: pg.Notification): void {
    if (message.channel === this.pendingChannel) {
      this.pending.next();
      return;
    }
    if (message.channel !== this.sentChannel || !message.payload) return;
    try {
      const { origin, notification } = JSON.parse(message.payload) as {
        origin: string;
        notification: SentNotificationOf;
      };
      if (origin !== this.origin) this.sentElsewhere.next(notification);
    } catch (error) {
      this.logger.warn({ err: error }, 'unreadable sent-notification announcement ignored');
    }
  }
}
