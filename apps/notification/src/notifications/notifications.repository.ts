import { currentTraceparent } from '@commerce/platform';
import { Injectable } from '@nestjs/common';
import { NotificationDatabase, type NotificationTransaction } from '../notification.database.ts';
import type { NotificationDraft, NotificationType } from './notification.entity.ts';
import { type SentNotification, type SentNotificationOf, toSentNotification } from './notification.view.ts';

/** A due email as the dispatcher claims it: the row, and the address it goes to. */
export interface DueEmail {
  id: string;
  userId: string;
  type: NotificationType;
  orderId: string | null;
  subject: string;
  body: string;
  attempts: number;
  email: string;
  name: string;
  /** The traceparent of the span that recorded it; null when untraced. */
  traceContext: string | null;
}

/** What is waiting to be sent: due now, and held back because the user is not known yet. */
export interface MailBacklog {
  due: number;
  waitingForUser: number;
  oldestDueAgeMs: number;
}

// A second email for the same (order, type), or a second welcome, conflicts with a unique index
// (one a partial index on WELCOME rows): DO NOTHING without a target covers both.
const RECORD = `
  INSERT INTO notifications (user_id, type, order_id, subject, body, trace_context)
  VALUES ($1, $2::"NotificationType", $3, $4, $5, $6)
  ON CONFLICT DO NOTHING`;

// Only rows whose user is known: an order event may arrive before user.created, and its email
// waits (unclaimed, not failed) until the address is there. SKIP LOCKED lets replicas (and the
// dispatcher's workers) share the table: each claims rows no other holds.
const CLAIM_DUE = `
  SELECT n.id::text AS id, n.user_id AS "userId", n.type::text AS type, n.order_id AS "orderId",
         n.subject, n.body, n.attempts, u.email, u.name, n.trace_context AS "traceContext"
  FROM notifications n
  JOIN users u ON u.user_id = n.user_id
  WHERE n.sent_at IS NULL AND n.next_attempt_at <= now()
  ORDER BY n.next_attempt_at
  LIMIT $1
  FOR UPDATE OF n SKIP LOCKED`;

// clock_timestamp(), not now(): now() is when the transaction began, before the SMTP sends.
const MARK_SENT = `
  UPDATE notifications n
  SET sent_at = clock_timestamp(), attempts = n.attempts + 1, last_error = NULL, message_id = s.message_id
  FROM unnest($1::text[], $2::text[]) AS s(id, message_id)
  WHERE n.id = s.id::uuid AND n.sent_at IS NULL
  RETURNING n.id::text AS id, n.user_id AS "userId", n.type::text AS type, n.order_id AS "orderId", n.subject,
            n.sent_at AS "sentAt"`;

// By primary key; only recent ones, so a forged announcement of an old id replays nothing old.
const RECENTLY_SENT = `
  SELECT id::text AS id, user_id AS "userId", type::text AS type, order_id AS "orderId", subject, sent_at AS "sentAt"
  FROM notifications
  WHERE id = ANY($1::uuid[]) AND sent_at >= clock_timestamp() - make_interval(secs => $2 / 1000.0)
  ORDER BY sent_at, id`;

const BACK_OFF = `
  UPDATE notifications n
  SET attempts = n.attempts + 1, last_error = f.error,
      next_attempt_at = clock_timestamp() + make_interval(secs => f.delay_ms / 1000.0)
  FROM unnest($1::text[], $2::text[], $3::float8[]) AS f(id, error, delay_ms)
  WHERE n.id = f.id::uuid AND n.sent_at IS NULL`;

const BACKLOG = `
  SELECT count(*) FILTER (WHERE u.user_id IS NOT NULL AND n.next_attempt_at <= now())::int AS due,
         count(*) FILTER (WHERE u.user_id IS NULL)::int AS "waitingForUser",
         COALESCE(EXTRACT(EPOCH FROM now() - min(n.next_attempt_at)
                  FILTER (WHERE u.user_id IS NOT NULL AND n.next_attempt_at <= now())) * 1000, 0)::float8
           AS "oldestDueAgeMs"
  FROM notifications n
  LEFT JOIN users u ON u.user_id = n.user_id
  WHERE n.sent_at IS NULL`;

/** The notifications table: what the use cases record, what the mail dispatcher sends, what users read. */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly db: NotificationDatabase) {}

  /** Records an email in the caller's transaction; false when that email already exists. */
  async record(tx: NotificationTransaction, draft: NotificationDraft): Promise<boolean> {
    const inserted = await tx.$executeRawUnsafe(
      RECORD,
      draft.userId,
      draft.type,
      draft.orderId,
      draft.subject,
      draft.body,
      currentTraceparent(),
    );
    return inserted === 1;
  }

  /** A user's sent notifications, newest first. */
  async listSent(userId: string, limit: number): Promise<SentNotification[]> {
    const rows = await this.db.notification.findMany({
      where: { userId, sentAt: { not: null } },
      orderBy: [{ sentAt: 'desc' }, { id: 'desc' }],
      take: limit,
      select: { id: true, type: true, orderId: true, subject: true, sentAt: true },
    });
    return rows.map((row) => toSentNotification({ ...row, sentAt: row.sentAt! }));
  }

  /**
   * The notifications among `ids` that were sent within `withinMs`, with their owners: what another
   * replica announced, read from this schema rather than believed from the announcement.
   */
  async findRecentlySent(ids: readonly string[], withinMs: number): Promise<SentNotificationOf[]> {
    const rows = await this.db.$queryRawUnsafe<
      Array<{
        id: string;
        userId: string;
        type: NotificationType;
        orderId: string | null;
        subject: string;
        sentAt: Date;
      }>
    >(RECENTLY_SENT, ids, withinMs);
    return rows.map((row) => ({ ...toSentNotification(row), userId: row.userId }));
  }

  /** Locks up to `limit` sendable emails, most overdue first, for the rest of the caller's transaction. */
  claimDue(tx: NotificationTransaction, limit: number): Promise<DueEmail[]> {
    return tx.$queryRawUnsafe<DueEmail[]>(CLAIM_DUE, limit);
  }

  /**
   * Marks claimed emails sent, each with its Message-ID, in one statement; returns them as their
   * owners see them, in the order given.
   */
  async markSent(
    tx: NotificationTransaction,
    emails: ReadonlyArray<{ id: string; messageId: string }>,
  ): Promise<SentNotificationOf[]> {
    if (emails.length === 0) return [];
    const rows = await tx.$queryRawUnsafe<
      Array<{
        id: string;
        userId: string;
        type: NotificationType;
        orderId: string | null;
        subject: string;
        sentAt: Date;
      }>
    >(
      MARK_SENT,
      emails.map((e) => e.id),
      emails.map((e) => e.messageId),
    );
    const byId = new Map(rows.map((row) => [row.id, { ...toSentNotification(row), userId: row.userId }]));
    return emails.flatMap((e) => byId.get(e.id) ?? []);
  }

  /** Counts a failed try of each of these claimed emails and sets when each is due again, in one statement. */
  async backOff(
    tx: NotificationTransaction,
    failures: ReadonlyArray<{ id: string; error: string; delayMs: number }>,
  ): Promise<void> {
    if (failures.length === 0) return;
    await tx.$executeRawUnsafe(
      BACK_OFF,
      failures.map((f) => f.id),
      failures.map((f) => f.error.slice(0, 2000)),
      failures.map((f) => f.delayMs),
    );
  }

  /** What is waiting to be sent. */
  async backlog(): Promise<MailBacklog> {
    const rows = await this.db.$queryRawUnsafe<MailBacklog[]>(BACKLOG);
    return { ...rows[0], oldestDueAgeMs: Math.round(rows[0].oldestDueAgeMs) };
  }
}
