import type { SentNotification } from './notification.view.ts';

/** How long a browser's EventSource waits before it reconnects, in ms. */
export const SSE_RETRY_MS = 3000;

/** The first bytes of a stream: the reconnect delay. */
export const SSE_PREAMBLE = `retry: ${SSE_RETRY_MS}\n\n`;

/** A comment line: EventSource ignores it, proxies see traffic and keep the connection. */
export const SSE_HEARTBEAT = ': heartbeat\n\n';

/** One notification as a `notification` event; its id lets a client tell events apart. */
export function notificationEvent(notification: SentNotification): string {
  // JSON.stringify escapes line breaks, so the data is one `data:` line.
  return `id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(notification)}\n\n`;
}
