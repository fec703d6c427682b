import { APP_CONFIG, Metrics, ProviderBreaker } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { Counter } from 'prom-client';
import type { NotificationConfig } from '../notification.config.ts';

/** One email as the dispatcher hands it to SMTP. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  /** The Message-ID header, `<id@domain>`. */
  messageId: string;
}

// A connection is closed and replaced after this many emails, as many providers ask.
const MESSAGES_PER_CONNECTION = 100;
// Failures in a row that say the server, not one email, is the trouble: the breaker opens.
const FAILURES_TO_OPEN = 5;
// The longest the breaker stays open before one email tries the server again.
const MAX_OPEN_MS = 30_000;

/**
 * Whether the server answered about this email (5xx: it will not take it), as opposed to not
 * answering or answering that it cannot take mail now (no answer, a timeout, 4xx): only those
 * count against the server and open the breaker.
 */
function isServerUnavailable(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | undefined)?.responseCode;
  return !(typeof code === 'number' && code >= 500);
}

/**
 * Sends emails over SMTP to SMTP_URL, from MAIL_FROM, over a pool of MAIL_CONCURRENCY connections,
 * behind a circuit breaker: after FAILURES_TO_OPEN sends in a row that the server did not take
 * for its own reasons, send() fails at once with ProviderUnavailableError (`circuitOpen`), without
 * trying, until one email is let through to test the server (after MAIL_RETRY_INITIAL_MS, doubling
 * up to MAX_OPEN_MS). The dispatcher then leaves its emails untried instead of backing each off.
 */
@Injectable()
export class SmtpMailer implements OnApplicationShutdown {
  private readonly logger = new Logger('SmtpMailer');
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly limitMs: number;
  private readonly breaker: ProviderBreaker;
  private readonly sentTotal: Counter;
  private readonly failedTotal: Counter;

  constructor(@Inject(APP_CONFIG) config: NotificationConfig, metrics: Metrics) {
    // Emails the server was asked to take: one it took, one it refused or did not answer about.
    // Those the open breaker held back were not tried and are in neither.
    this.sentTotal = metrics.counter({ name: 'emails_sent_total', help: 'Emails the SMTP server accepted.' });
    this.failedTotal = metrics.counter({
      name: 'emails_failed_total',
      help: 'Emails the SMTP server refused or did not answer about in time (they back off and are retried).',
    });
    const timeout = config.MAIL_SEND_TIMEOUT_MS;
    // Pooled: a connection and its greeting serve many emails, so an email costs the SMTP
    // transaction alone. The dispatcher never has more than MAIL_CONCURRENCY emails in flight;
    // the pool holds as many connections.
    this.transport = createTransport(
      {
        url: config.SMTP_URL,
        pool: true,
        maxConnections: config.MAIL_CONCURRENCY,
        maxMessages: MESSAGES_PER_CONNECTION,
        // A pool would re-send an email on its own when its connection drops mid-send; here
        // every retry is the dispatcher's, counted and backed off.
        maxRequeues: 0,
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
      },
      { from: config.MAIL_FROM },
    );
    // A connection's failure also fails the email it carried (the dispatcher backs it off); an
    // 'error' event nobody listened to would end the process.
    this.transport.on('error', (error) => this.logger.warn({ err: error }, 'SMTP transport error'));
    // The socket timeout bounds silence, not a server that trickles: this bounds the whole send.
    this.limitMs = 2 * timeout;
    this.breaker = new ProviderBreaker({
      provider: 'smtp',
      failuresToOpen: FAILURES_TO_OPEN,
      halfOpenAfter: {
        initialMs: config.MAIL_RETRY_INITIAL_MS,
        maxMs: Math.max(config.MAIL_RETRY_INITIAL_MS, Math.min(config.MAIL_RETRY_MAX_MS, MAX_OPEN_MS)),
      },
      callTimeoutMs: this.limitMs,
      isUnavailable: isServerUnavailable,
      onStateChange: (open, reason) =>
        open
          ? this.logger.error({ err: reason }, 'SMTP server unavailable; circuit open, sending paused')
          : this.logger.log('SMTP server accepts again; circuit closed'),
    });
  }

  /** True while send() fails at once: the SMTP server failed repeatedly and has not been tried since. */
  get isOpen(): boolean {
    return this.breaker.isOpen;
  }

  /**
   * Resolves once the SMTP server has accepted the email; rejects if it refuses or does not answer
   * within the send limit (ProviderUnavailableError), or at once while the breaker is open.
   */
  async send(email: OutgoingEmail): Promise<void> {
    // The breaker's timeout aborts the signal: an email given up on must not go out later from the
    // pool's queue, after its row was backed off.
    await this.breaker.execute(async (signal) => {
      try {
        await this.transport.sendMail({
          to: email.to,
          subject: email.subject,
          text: email.text,
          messageId: email.messageId,
          signal,
        });
      } catch (error) {
        this.failedTotal.inc();
        throw error;
      }
      this.sentTotal.inc();
    });
  }

  /** The longest send() may take. */
  get sendLimitMs(): number {
    return this.limitMs;
  }

  // After the dispatcher has stopped (it stops on module destroy, which comes first).
  onApplicationShutdown(): void {
    this.transport.close();
  }
}
