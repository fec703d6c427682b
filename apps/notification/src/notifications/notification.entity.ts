/** Why an email is sent. With its order (or, for WELCOME, its user) it names one email only. */
export type NotificationType = 'WELCOME' | 'ORDER_RECEIVED' | 'ORDER_CONFIRMED' | 'ORDER_CANCELLED';

/** An email as a handler records it: to whom, why, and what it says. */
export interface NotificationDraft {
  userId: string;
  type: NotificationType;
  orderId: string | null;
  subject: string;
  body: string;
}

/** A sent notification as its owner sees it (GET /api/notifications and the stream). */
export interface SentNotification {
  id: string;
  type: NotificationType;
  orderId?: string;
  subject: string;
  sentAt: string;
}

/** A sent notification together with its owner, as the stream fans it out. */
export interface SentNotificationOf extends SentNotification {
  userId: string;
}

// The domain of the Message-ID header. Deterministic, so a resend after a crash carries the same
// Message-ID and a receiving server or mail client can drop the copy.
const MESSAGE_ID_DOMAIN = 'commerce.local';

/** The Message-ID header of a notification's email: `<id@commerce.local>`. */
export function messageIdOf(notificationId: string): string {
  return `<${notificationId}@${MESSAGE_ID_DOMAIN}>`;
}

/** A stored row as its owner sees it: no orderId key for a welcome, times as ISO-8601. */
export function toSentNotification(row: {
  id: string;
  type: NotificationType;
  orderId: string | null;
  subject: string;
  sentAt: Date | string;
}): SentNotification {
  return {
    id: row.id,
    type: row.type,
    ...(row.orderId === null ? {} : { orderId: row.orderId }),
    subject: row.subject,
    sentAt: new Date(row.sentAt).toISOString(),
  };
}
