import type { INestApplication } from '@nestjs/common';
import { type AppSpec, type BaseConfig, createApp } from '@commerce/platform';
import { inject } from 'vitest';
import { uniqueId } from './database.ts';

/** An app started by a test on a free port against the real infra. */
export interface TestApp {
  app: INestApplication;
  /** e.g. http://127.0.0.1:41234/api/orders */
  baseUrl: string;
  close(): Promise<void>;
}

/** Boots an app as its main.ts would, with `env` on top of the test infra's Kafka, on a free port (or `options.port`). */
export async function startTestApp<C extends BaseConfig>(
  spec: AppSpec<C>,
  env: Record<string, string>,
  options: { port?: number } = {},
): Promise<TestApp> {
  const { kafkaBrokers } = inject('infra');
  const { app } = await createApp(spec, {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_CLIENT_ID: uniqueId(`${spec.service}-`),
    // Topics and groups of this test file's own, unless the test shares a prefix between apps.
    KAFKA_TOPIC_PREFIX: `${uniqueId()}.`,
    // No load shedding unless a test asks for it: a test's answers must not depend on how busy the machine is.
    HTTP_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...env,
  });
  await app.listen(options.port ?? 0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, baseUrl: `${url}/${spec.prefix}`, close: () => app.close() };
}
