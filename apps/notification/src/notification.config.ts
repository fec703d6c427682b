import { baseConfigSchema } from '@commerce/platform';
import { z } from 'zod';

const smtpUrl = z
  .string()
  .trim()
  .refine((s) => /^smtps?:\/\//.test(s) && URL.canParse(s), 'must be an smtp:// or smtps:// URL');

/** The notification app's variables: the base ones, where its mail goes, and how it retries and streams. */
export const notificationConfigSchema = baseConfigSchema.extend({
  // A local catcher (Mailpit, MailHog) by default, so development needs no mail provider.
  SMTP_URL: smtpUrl.default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().trim().min(3).default('Commerce <no-reply@commerce.local>'),
  // The dispatcher is woken by NOTIFY when an email is recorded; polling bounds the wait if one is lost.
  MAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  // How many emails are in flight to SMTP at once: the size of the SMTP connection pool. The
  // dispatcher claims 10 emails per slot in a batch; it holds two database connections whatever this is.
  MAIL_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(5),
  // A failed email backs off: initial × 2^(attempts − 1), at most max; it is retried until it goes.
  MAIL_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(1000),
  MAIL_RETRY_MAX_MS: z.coerce.number().int().min(1).default(300_000),
  // The longest one SMTP connection, greeting or send may take before it counts as failed.
  MAIL_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  // Proxies close a silent connection; a comment line every so often keeps a stream open.
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(10).default(15_000),
  // Open streams: at most this many per user (429 beyond: a few tabs, not a flood) and per replica (503
  // beyond: each holds a socket and a subscription).
  SSE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).max(1000).default(5),
  SSE_MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(2000),
  // An ended session (session.ended) is remembered this long, so no stream opens with its access
  // tokens: at least auth's ACCESS_TOKEN_TTL_SECONDS (900), the longest such a token lives.
  ENDED_SESSION_RETENTION_SECONDS: z.coerce.number().int().min(60).default(86_400),
});

export type NotificationConfig = z.infer<typeof notificationConfigSchema>;
