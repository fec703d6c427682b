import { APP_CONFIG, withTimeout } from '@commerce/platform';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
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

/** Sends emails over SMTP to SMTP_URL, from MAIL_FROM. */
@Injectable()
export class SmtpMailer implements OnApplicationShutdown {
  private readonly transport: ReturnType<typeof createTransport>;
  private readonly limitMs: number;

  constructor(@Inject(APP_CONFIG) config: NotificationConfig) {
    // One connection per email rather than a pool: a pooled transport re-sends a message on its own
    // when a connection drops mid-send; here every retry is the dispatcher's, counted and backed off.
    const timeout = config.MAIL_SEND_TIMEOUT_MS;
    this.transport = createTransport(
      { url: config.SMTP_URL, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout },
      { from: config.MAIL_FROM },
    );
    // The socket timeout bounds silence, not a server that trickles: this bounds the whole send.
    this.limitMs = 2 * timeout;
  }

  /** Resolves once the SMTP server has accepted the email; rejects if it refuses or does not answer. */
  async send(email: OutgoingEmail): Promise<void> {
    const sending = this.transport.sendMail({
      to: email.to,
      subject: email.subject,
      text: email.text,
      messageId: email.messageId,
    });
    sending.catch(() => undefined);
    await withTimeout(sending, this.limitMs, `the SMTP server did not accept the email within ${this.limitMs} ms`);
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
