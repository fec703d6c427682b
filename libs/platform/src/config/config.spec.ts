import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { baseConfigSchema, ConfigError, loadConfig } from './config.ts';

const valid = {
  PORT: '3002',
  DATABASE_URL: 'postgresql://orders:secret@127.0.0.1:5432/commerce?schema=orders',
  KAFKA_BROKERS: '127.0.0.1:9092, kafka:9092',
};

describe('loadConfig', () => {
  it('parses a valid environment, applying defaults', () => {
    const config = loadConfig(baseConfigSchema, valid);
    expect(config).toMatchObject({
      PORT: 3002,
      KAFKA_BROKERS: ['127.0.0.1:9092', 'kafka:9092'],
      LOG_LEVEL: 'info',
      HTTP_BODY_LIMIT: '100kb',
    });
  });

  it('sizes the database pool and its waits, 10 connections, 5 s and 2 s unless told', () => {
    expect(loadConfig(baseConfigSchema, valid)).toMatchObject({
      DATABASE_POOL_SIZE: 10,
      DATABASE_POOL_TIMEOUT_MS: 5000,
      DATABASE_TX_MAX_WAIT_MS: 2000,
    });
    const env = { ...valid, DATABASE_POOL_SIZE: '1', DATABASE_POOL_TIMEOUT_MS: '50', DATABASE_TX_MAX_WAIT_MS: '20' };
    expect(loadConfig(baseConfigSchema, env)).toMatchObject({
      DATABASE_POOL_SIZE: 1,
      DATABASE_POOL_TIMEOUT_MS: 50,
      DATABASE_TX_MAX_WAIT_MS: 20,
    });
    expect(() => loadConfig(baseConfigSchema, { ...valid, DATABASE_POOL_SIZE: '0' })).toThrow(/DATABASE_POOL_SIZE:/);
    expect(() => loadConfig(baseConfigSchema, { ...valid, DATABASE_TX_MAX_WAIT_MS: 'soon' })).toThrow(
      /DATABASE_TX_MAX_WAIT_MS:/,
    );
  });

  it('turns metrics on unless METRICS_ENABLED is false, and refuses anything but true or false', () => {
    expect(loadConfig(baseConfigSchema, valid).METRICS_ENABLED).toBe(true);
    expect(loadConfig(baseConfigSchema, { ...valid, METRICS_ENABLED: 'true' }).METRICS_ENABLED).toBe(true);
    expect(loadConfig(baseConfigSchema, { ...valid, METRICS_ENABLED: 'false' }).METRICS_ENABLED).toBe(false);
    expect(() => loadConfig(baseConfigSchema, { ...valid, METRICS_ENABLED: 'no' })).toThrow(
      /METRICS_ENABLED: true or false/,
    );
  });

  it('lets the environment override the defaults it is given, and ignores empty values', () => {
    expect(loadConfig(baseConfigSchema, { ...valid, PORT: '' }, { PORT: '3999' }).PORT).toBe(3999);
    expect(loadConfig(baseConfigSchema, valid, { PORT: '3999' }).PORT).toBe(3002);
  });

  it('names every missing variable', () => {
    const error = (() => {
      try {
        loadConfig(baseConfigSchema, { PORT: '1' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      { variable: 'DATABASE_URL', message: 'is required' },
      { variable: 'KAFKA_BROKERS', message: 'is required' },
    ]);
    expect((error as Error).message).toContain('DATABASE_URL: is required');
  });

  it('names malformed variables with what is expected', () => {
    expect(() => loadConfig(baseConfigSchema, { ...valid, DATABASE_URL: 'mysql://x/y' })).toThrow(
      /DATABASE_URL: must be a postgresql:\/\/ URL/,
    );
    expect(() => loadConfig(baseConfigSchema, { ...valid, DATABASE_URL: 'postgresql://x@h/db' })).toThrow(
      /DATABASE_URL: must name its schema/,
    );
    expect(() => loadConfig(baseConfigSchema, { ...valid, KAFKA_BROKERS: 'kafka' })).toThrow(
      /KAFKA_BROKERS: each broker must be host:port/,
    );
    expect(() => loadConfig(baseConfigSchema, { ...valid, PORT: 'eighty' })).toThrow(/PORT:/);
    expect(() => loadConfig(baseConfigSchema, { ...valid, LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL:/);
  });

  it('in production, refuses a dev-only placeholder in any variable or URL password, naming each', () => {
    const schema = baseConfigSchema.extend({ SOME_SECRET: z.string().optional(), SMTP_URL: z.string().optional() });
    const placeholders = {
      ...valid,
      DATABASE_URL: 'postgresql://orders:dev-only-order-db@postgres:5432/commerce?schema=orders',
      SOME_SECRET: 'dev-only-admin-password',
      SMTP_URL: 'smtp://mailer:dev%2Donly-smtp@mail:587',
    };
    const error = (() => {
      try {
        loadConfig(schema, { ...placeholders, NODE_ENV: 'production' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'SMTP_URL',
      'SOME_SECRET',
    ]);
    // Development and tests run on the placeholders; production with real values starts.
    expect(loadConfig(schema, placeholders).SOME_SECRET).toBe('dev-only-admin-password');
    expect(loadConfig(schema, { ...valid, NODE_ENV: 'production', SOME_SECRET: 'a real one' }).NODE_ENV).toBe(
      'production',
    );
  });
});
