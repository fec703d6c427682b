import { type ApiRoute, AUTHENTICATED_PROBLEMS, BEARER, json, problemResponses } from '@commerce/platform';
import { z } from 'zod';
import type { SentNotification } from './notification.view.ts';
import { listQuery } from './notifications.controller.ts';

// What the API shows (notification.view.ts), typed against the view; the stream's `data:` is the same.
const SentNotificationSchema: z.ZodType<SentNotification> = z
  .object({
    id: z.uuid(),
    type: z.enum(['WELCOME', 'ORDER_RECEIVED', 'ORDER_CONFIRMED', 'ORDER_CANCELLED']),
    orderId: z.string().optional().meta({ description: 'Not on a WELCOME.' }),
    subject: z.string(),
    sentAt: z.iso.datetime(),
  })
  .meta({ id: 'Notification' });

const sent: SentNotification = {
  id: '3e1f0a9b-8c7d-4e6f-a5b4-c3d2e1f0a9b8',
  type: 'ORDER_CONFIRMED',
  orderId: '0b6f3c2e-7d1a-4c55-9a3e-2f4b8f0e6a11',
  subject: 'Your order is confirmed',
  sentAt: '2026-11-30T12:00:03.000Z',
};
const tags = ['notifications'];

/** The caller's notifications, as a list and as a stream (docs/contract.md, notification). */
export const notificationsApi: readonly ApiRoute[] = [
  {
    method: 'get',
    path: '',
    operation: {
      tags,
      summary: "The caller's sent notifications, newest first",
      security: BEARER,
      requestParams: { query: listQuery },
      responses: {
        '200': { description: 'The notifications.', content: json(z.array(SentNotificationSchema), [sent]) },
        ...problemResponses(...AUTHENTICATED_PROBLEMS, 422),
      },
    },
  },
  {
    method: 'get',
    path: '/stream',
    operation: {
      tags,
      summary: "The caller's notifications as they are sent (server-sent events)",
      description:
        "A `retry: 3000` line, then per notification `id:`, `event: notification` and `data:` (a Notification as JSON), and a `: heartbeat` comment every 15 s. Ends with `event: token-expired` at the token's expiry, or `event: session-ended` when its login ends. The token may come as `?access_token=` (EventSource cannot send headers).",
      security: [{ bearerAuth: [] }, { accessTokenQuery: [] }],
      responses: {
        '200': {
          description: 'An event stream that lasts as long as the token and its session.',
          content: {
            'text/event-stream': {
              schema: z.string(),
              example: `retry: 3000\n\nid: ${sent.id}\nevent: notification\ndata: ${JSON.stringify(sent)}\n\n: heartbeat\n\n`,
            },
          },
        },
        ...problemResponses(
          [401, 'No valid access token, or one of an ended session.'],
          [429, 'The user holds SSE_MAX_STREAMS_PER_USER streams on this replica already.'],
          [503, "The replica holds SSE_MAX_STREAMS streams, or auth's keys cannot be fetched."],
        ),
      },
    },
  },
];
