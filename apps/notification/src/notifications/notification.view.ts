import type { NotificationType } from './notification.entity.ts';

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
