import { randomUUID } from 'node:crypto';
import { APP_CONFIG, PgListener, schemaOf } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type pg from 'pg';
import { Subject } from 'rxjs';
import { z } from 'zod';
import type { NotificationConfig } from '../notification.config.ts';
import type { NotificationTransaction } from '../notification.database.ts';
import type { SentNotificationOf } from './notification.view.ts';

// PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; each announcement stays below this.
export const ANNOUNCEMENT_MAX_BYTES = 7900;

/**
 * What one announcement of sent emails carries: who sent them, and their ids, nothing else. A
 * channel is database-wide: any role may NOTIFY on it or LISTEN to it, so what it carries is
 * neither trusted nor private. A listener reads the rows themselves from its own schema, which no
 * other role can write, and streams only what it finds there.
 */
const announcementSchema = z.strictObject({
  origin: z.uuid(),
  ids: z
    .array(z.uuid())
    .min(1)
    .max(Math.floor(ANNOUNCEMENT_MAX_BYTES / 39)),
});

/** The NOTIFY payloads announcing the ids of `sent`: as few as fit `maxBytes` each, in order. */
export function announcements(origin: string, sentIds: readonly string[], maxBytes = ANNOUNCEMENT_MAX_BYTES): string[] {
  const payloads: string[] = [];
  // {"origin":…,"ids":["…","…"]}: each id is a uuid, 38 bytes quoted; the head and tail are fixed.
  const head = `{"origin":${JSON.stringify(origin)},"ids":[`;
  const tail = ']}';
  const perPayload = Math.floor((maxBytes - head.length - tail.length + 1) / 39);
  for (let i = 0; i < sentIds.length; i += perPayload) {
    payloads.push(
      head +
        sentIds
          .slice(i, i + perPayload)
          .map((id) => JSON.stringify(id))
          .join(',') +
        tail,
    );
  }
  return payloads;
}

/** An announcement as it was sent, or undefined for anything else (not JSON, not uuids, more keys). */
export function readAnnouncement(payload: string): { origin: string; ids: string[] } | undefined {
  try {
    const read = announcementSchema.safeParse(JSON.parse(payload));
    return read.success ? read.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What Postgres tells every replica at commit, over one LISTEN connection: an email was recorded
 * (a trigger on notifications; it wakes the dispatchers) and emails were sent (their ids, announced
 * by the replica that sent them, a batch at a time, so every replica's streams see them, not only
 * the sender's), and login sessions ended (their ids, announced by the replica that recorded the
 * `session.ended`, so every replica ends the session's streams: the event reaches one replica only).
 * Any role of the database can NOTIFY on these channels: a forged wake-up costs one claim that finds
 * nothing more than polling would (wake-ups coalesce: one claim in flight per worker), and a forged
 * announcement names ids that are only streamed, or ended, if this schema has them sent, or ended.
 */
@Injectable()
export class NotificationSignals implements OnApplicationBootstrap, OnModuleDestroy {
  /** This process: its own announcements are not news to it (it streams what it sends at once). */
  readonly origin = randomUUID();
  /** A transaction that recorded an email has committed, here or on another replica. */
  readonly pending = new Subject<void>();
  /** Another replica has sent emails: their ids (uuids), to be read from this schema before they are believed. */
  readonly sentElsewhere = new Subject<string[]>();
  /** Sessions were announced as ended (uuids), here or on another replica: to be read from this schema before they are believed. */
  readonly sessionsEnded = new Subject<string[]>();
  private readonly logger = new Logger('NotificationSignals');
  private readonly pendingChannel: string;
  private readonly sentChannel: string;
  private readonly endedSessionsChannel: string;
  private readonly listener: PgListener;
  private ignored = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: NotificationConfig) {
    const schema = schemaOf(config.DATABASE_URL);
    this.pendingChannel = `${schema}.notification_pending`;
    // Ids of sent notifications ({ origin, ids }). The channel was `notifications_sent` when it carried
    // the notifications themselves, and `notification_sent` before that: formats never meet on one.
    this.sentChannel = `${schema}.sent_notification_ids`;
    // Ids of ended login sessions ({ origin, ids }), in the same format.
    this.endedSessionsChannel = `${schema}.ended_session_ids`;
    // If the connection drops, the dispatchers' polling covers the gap until it is back.
    this.listener = new PgListener({
      databaseUrl: config.DATABASE_URL,
      channels: [this.pendingChannel, this.sentChannel, this.endedSessionsChannel],
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
    this.sessionsEnded.complete();
  }

  /** Whether the LISTEN connection is up (when it is not, polling and local streams still work). */
  get isListening(): boolean {
    return this.listener.isListening;
  }

  /** Tells the other replicas, when `tx` commits, which emails were sent (their ids): one statement. */
  async announceSent(tx: NotificationTransaction, sent: readonly SentNotificationOf[]): Promise<void> {
    const payloads = announcements(
      this.origin,
      sent.map((notification) => notification.id),
    );
    if (payloads.length === 0) return;
    await tx.$executeRawUnsafe('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', this.sentChannel, payloads);
  }

  /**
   * Tells every replica, this one included, when `tx` commits, that these sessions ended: the
   * replica that handles `session.ended` cannot end its own streams before the commit either.
   */
  async announceEndedSessions(tx: NotificationTransaction, sessionIds: readonly string[]): Promise<void> {
    const payloads = announcements(this.origin, sessionIds);
    if (payloads.length === 0) return;
    await tx.$executeRawUnsafe(
      'SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p',
      this.endedSessionsChannel,
      payloads,
    );
  }

  private onNotification(message: pg.Notification): void {
    if (message.channel === this.pendingChannel) {
      this.pending.next();
      return;
    }
    if (message.channel !== this.sentChannel && message.channel !== this.endedSessionsChannel) return;
    const announcement = readAnnouncement(message.payload ?? '');
    if (!announcement) {
      // Anyone may write to the channel: counted, never logged with its payload, and not once each.
      if (this.ignored++ % 1000 === 0) this.logger.warn({ ignored: this.ignored }, 'unreadable announcements ignored');
      return;
    }
    if (message.channel === this.endedSessionsChannel) this.sessionsEnded.next(announcement.ids);
    else if (announcement.origin !== this.origin) this.sentElsewhere.next(announcement.ids);
  }
}
