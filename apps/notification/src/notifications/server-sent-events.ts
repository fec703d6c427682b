import { SessionEndedV1 } from '@commerce/contracts';
import { z } from 'zod';
import type { SentNotification } from './notification.view.ts';

/** How long a browser's EventSource waits before it reconnects, in ms. */
export const SSE_RETRY_MS = 3000;

/** The first bytes of a stream: the reconnect delay. */
export const SSE_PREAMBLE = `retry: ${SSE_RETRY_MS}\n\n`;

/** A comment line: EventSource ignores it, proxies see traffic and keep the connection. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** What may be written as an event's `id` and `event` fields: nothing that ends a line or a frame. */
const SSE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SSE_EVENT_NAME = /^[a-z][a-z.-]{0,63}$/;

/** A notification as the stream sends it: exactly these fields, each checked (docs/contract.md). */
const streamedNotification = z.strictObject({
  id: z.string().regex(SSE_ID),
  type: z.enum(['WELCOME', 'ORDER_RECEIVED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED']),
  orderId: z.string().min(1).max(200).optional(),
  subject: z.string(),
  sentAt: z.iso.datetime(),
});

/** A field the stream was about to write that could end a line or a frame: nothing is written. */
export class UnsafeServerSentEventError extends Error {
  constructor(what: string) {
    super(`refused to write a server-sent event: ${what}`);
    this.name = 'UnsafeServerSentEventError';
  }
}

/**
 * One event, built only from checked values: the name a lowercase word, the id (when given) a uuid,
 * the data JSON (which escapes every line break). Whatever else it is given throws before a byte is
 * written, so no value can add a line, a field or a frame of its own.
 */
export function serverSentEvent(event: string, data: unknown, id?: string): string {
  if (!SSE_EVENT_NAME.test(event)) throw new UnsafeServerSentEventError('the event name is not a plain word');
  if (id !== undefined && !SSE_ID.test(id)) throw new UnsafeServerSentEventError('the id is not a uuid');
  const json = JSON.stringify(data);
  if (json === undefined || /[\r\n]/.test(json))
    throw new UnsafeServerSentEventError('the data is not one line of JSON');
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${json}\n\n`;
}

/** One notification as a `notification` event, or undefined when it is not one this API sends. */
export function notificationEvent(notification: SentNotification): string | undefined {
  const checked = streamedNotification.safeParse(notification);
  return checked.success ? serverSentEvent('notification', checked.data, checked.data.id) : undefined;
}

/** The last event of a stream whose access token has expired: refresh it and open a new stream. */
export function tokenExpiredEvent(): string {
  return serverSentEvent('token-expired', {
    detail: 'The access token has expired; open a new stream with a fresh one.',
  });
}

/** Why a session ended, as `session.ended` says; the stream's last event names it. */
const SESSION_END_REASONS: readonly string[] = SessionEndedV1.shape.reason.options;

/**
 * The last event of a stream whose login session has ended (logged out, or its refresh tokens
 * revoked): its access token no longer opens a stream; log in again.
 */
export function sessionEndedEvent(reason: string): string {
  return serverSentEvent('session-ended', {
    ...(SESSION_END_REASONS.includes(reason) ? { reason } : {}),
    detail: 'The session has ended (logged out or revoked); log in again to open a new stream.',
  });
}
