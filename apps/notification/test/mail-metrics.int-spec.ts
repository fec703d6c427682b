import { Metrics } from '@commerce/platform';
import { startTestSmtpServer, type TestSmtpServer } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpMailer } from '../src/mail/smtp-mailer.ts';
import type { NotificationConfig } from '../src/notification.config.ts';

describe('email metrics', () => {
  let smtp: TestSmtpServer;
  let mailer: SmtpMailer;
  const metrics = new Metrics();
  const count = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0]?.value ?? 0;
  const email = (n: number) => ({
    to: `metrics-${n}@example.com`,
    subject: 'hello',
    text: 'hello',
    messageId: `<metrics-${n}-${Date.now()}@commerce.local>`,
  });

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    mailer = new SmtpMailer(
      {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Commerce <no-reply@commerce.local>',
        MAIL_CONCURRENCY: 1,
        MAIL_SEND_TIMEOUT_MS: 5_000,
        MAIL_RETRY_INITIAL_MS: 1_000,
        MAIL_RETRY_MAX_MS: 1_000,
      } as NotificationConfig,
      metrics,
    );
  });
  afterAll(async () => {
    mailer?.onApplicationShutdown();
    await smtp?.close();
  });

  it('counts the emails the SMTP server accepted and those it refused', async () => {
    await mailer.send(email(1));
    await mailer.send(email(2));
    smtp.refuse(true);
    await expect(mailer.send(email(3))).rejects.toThrow();
    smtp.refuse(false);
    expect(smtp.messages).toHaveLength(2);
    expect(await count('emails_sent_total')).toBe(2);
    expect(await count('emails_failed_total')).toBe(1);
  });
});
