import { loadConfig } from '@commerce/platform';
import { describe, expect, it } from 'vitest';
import { notificationConfigSchema } from './notification.config.ts';

const base = {
  PORT: '3005',
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/commerce?schema=notifications',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('notification config', () => {
  it('sends to a local mail catcher by default', () => {
    const config = loadConfig(notificationConfigSchema, base);
    expect(config).toMatchObject({
      SMTP_URL: 'smtp://127.0.0.1:1025',
      MAIL_FROM: 'Commerce <no-reply@commerce.local>',
      SSE_HEARTBEAT_MS: 15_000,
      MAIL_POLL_INTERVAL_MS: 1000,
    });
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://, naming it', () => {
    expect(() => loadConfig(notificationConfigSchema, { ...base, SMTP_URL: 'http://mail' })).toThrow(/SMTP_URL/);
    expect(loadConfig(notificationConfigSchema, { ...base, SMTP_URL: 'smtps://u:p@mail:465' }).SMTP_URL).toBe(
      'smtps://u:p@mail:465',
    );
  });
});
