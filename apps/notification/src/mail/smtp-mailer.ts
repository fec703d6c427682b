import { APP_CONFIG, withTimeout } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
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

/** Sends emails over SMTP to SMTP_URL, from MAIL_FROM, over a pool of MAIL_CONCURRENCY connections. */
@Injectable()
export class SmtpMailer implements OnApplicationShutdown {
  private readonly logger = new Logger('SmtpMailer');
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly limitMs: number;

  constructor(@Inject(APP_CONFIG) config: NotificationConfig) {
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
  }

  /** Resolves once the SMTP server has accepted the email; rejects if it refuses or does not answer. */
  async send(email: OutgoingEmail): Promise<void> {
    const abort = new AbortController();
    const sending = this.transport.sendMail({
      to: email.to,
      subject: email.subject,
      text: email.text,
      messageId: email.messageId,
      signal: abort.signal,
    });
    sending.catch(() => undefined);
    try {
      await withTimeout(sending, this.limitMs, `the SMTP server did not accept the email within ${this.limitMs} ms`);
    } catch (error) {
      // Given up on: it must not go out later from the pool's queue, after the row was backed off.
      abort.abort(error);
      throw error;
    }
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
