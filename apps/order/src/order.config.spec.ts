import { loadConfig } from '@commerce/platform';
import { describe, expect, it } from 'vitest';
import { orderConfigSchema } from './order.config.ts';

const base = {
  PORT: '3002',
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/commerce?schema=orders',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('order config', () => {
  it('gives a PENDING order 2 minutes to settle, looked for every 5 s, 100 at a time', () => {
    expect(loadConfig(orderConfigSchema, base)).toMatchObject({
      ORDER_SETTLE_TIMEOUT_MS: 120_000,
      ORDER_SETTLE_SWEEP_INTERVAL_MS: 5000,
      ORDER_SETTLE_SWEEP_BATCH_SIZE: 100,
    });
    expect(loadConfig(orderConfigSchema, { ...base, ORDER_SETTLE_TIMEOUT_MS: '300000' }).ORDER_SETTLE_TIMEOUT_MS).toBe(
      300_000,
    );
  });

  it.each([
    ['ORDER_SETTLE_TIMEOUT_MS', 'soon'],
    ['ORDER_SETTLE_TIMEOUT_MS', '999'],
    ['ORDER_SETTLE_TIMEOUT_MS', '1.5'],
    ['ORDER_SETTLE_SWEEP_INTERVAL_MS', '0'],
    ['ORDER_SETTLE_SWEEP_BATCH_SIZE', '0'],
    ['ORDER_SETTLE_SWEEP_BATCH_SIZE', '1001'],
  ])('refuses %s=%s, naming it', (variable, value) => {
    expect(() => loadConfig(orderConfigSchema, { ...base, [variable]: value })).toThrow(new RegExp(`${variable}:`));
  });
});
