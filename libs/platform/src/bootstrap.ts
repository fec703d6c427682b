import 'reflect-metadata';
import { type DynamicModule, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { z } from 'zod';
import { type BaseConfig, ConfigError, loadConfig } from './config/config.ts';
import { EventLoopDelay, eventLoopShedding } from './http/event-loop-shedding.ts';
import { verifyJsonDepth } from './http/json-depth.ts';
import { OVERLOAD_RETRY_AFTER_SECONDS } from './http/problem-details.filter.ts';
import { HttpMetricsMiddleware } from './metrics/http-metrics.ts';
import { type ApiRoute } from './openapi/api-routes.ts';
import { OpenApiModule } from './openapi/openapi.module.ts';
import { PlatformModule } from './platform.module.ts';
import { httpTracing } from './tracing/http-tracing.ts';
import { TracingFlush } from './tracing/tracing-flush.ts';
import { startTracing } from './tracing/tracing.ts';

/** Everything that makes one of the five apps: its name, HTTP prefix and port, config and module. */
export interface AppSpec<C extends BaseConfig = BaseConfig> {
  service: string;
  /** Path prefix of every route, e.g. `api/orders` (the same through the gateway and direct). */
  prefix: string;
  defaultPort: number;
  configSchema: z.ZodType<C>;
  module(config: C): DynamicModule | Type;
  /** Its HTTP routes for its OpenAPI document (`<prefix>/openapi.json`): its features' route tables. */
  api: readonly ApiRoute[];
  /** Connects the app's non-HTTP transports (its Kafka consumer: `app.connectMicroservice({ strategy })`). */
  connect?(app: INestApplication): void;
}

/** Validates the config and builds the Nest app (not yet listening). Throws ConfigError on bad env. */
export async function createApp<C extends BaseConfig>(
  spec: AppSpec<C>,
  env: Record<string, string | undefined> = process.env,
): Promise<{ app: INestApplication; config: C }> {
  const config = loadConfig(spec.configSchema, env, { PORT: String(spec.defaultPort), KAFKA_CLIENT_ID: spec.service });

  @Module({
    imports: [
      PlatformModule.forApp(spec.service, config),
      OpenApiModule.forApp(spec, { metrics: config.METRICS_ENABLED }),
      spec.module(config),
    ],
    providers: [TracingFlush],
  })
  class RootModule {}
  Object.defineProperty(RootModule, 'name', { value: `${spec.service}RootModule` });

  const app = await NestFactory.create<NestExpressApplication>(RootModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Counted before anything may answer: a request shed below, or refused by the body parser, is counted too.
  // Metrics off, not installed at all: a request costs nothing for them.
  if (config.METRICS_ENABLED) app.use(app.get(HttpMetricsMiddleware).use);
  // First in the chain: a request shed for a saturated event loop is not even parsed.
  const loopDelay = new EventLoopDelay();
  loopDelay.start();
  app.use(eventLoopShedding(loopDelay, config.HTTP_MAX_EVENT_LOOP_DELAY_MS, OVERLOAD_RETRY_AFTER_SECONDS));
  // The request's span (when tracing is on) is current for all that handles it, the outbox included.
  app.use(httpTracing);
  // Nest's typing leaves out `verify` (it uses it for rawBody, which no app turns on): passed as a value.
  const jsonOptions = { limit: config.HTTP_BODY_LIMIT, verify: verifyJsonDepth(config.HTTP_JSON_MAX_DEPTH) };
  app.useBodyParser('json', jsonOptions);
  app.disable('x-powered-by');
  app.set('trust proxy', config.HTTP_TRUST_PROXY === 'false' ? false : config.HTTP_TRUST_PROXY);
  app.setGlobalPrefix(spec.prefix);
  app.enableShutdownHooks();
  if (spec.connect) {
    spec.connect(app);
    await app.startAllMicroservices();
  }
  return { app, config };
}

/** The process entry point of an app: start, or print what is wrong with the config and exit 1. */
export async function runApp<C extends BaseConfig>(spec: AppSpec<C>): Promise<void> {
  let started: { app: INestApplication; config: C };
  // Before the app is made: every span of its start-up and work goes to the exporter (off without OTEL_EXPORTER_OTLP_ENDPOINT).
  const stopTracing = startTracing(spec.service);
  try {
    started = await createApp(spec);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`[${spec.service}] cannot start. ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { app, config } = started;
  // Nest closes the app on SIGTERM/SIGINT; this bounds how long draining may take.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref());
  }
  if (stopTracing) app.get(TracingFlush).onClosed(stopTracing);
  await app.listen(config.PORT, config.HOST);
  app.get(Logger).log(`${spec.service} listening on http://${config.HOST}:${config.PORT}/${spec.prefix}`);
}
