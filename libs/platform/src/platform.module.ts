import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { NextFunction, Request, Response } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { ACCESS_TOKEN_KEYS, remoteAccessTokenKeys } from './auth/access-token.ts';
import { APP_CONFIG, APP_SERVICE, type BaseConfig } from './config/config.ts';
import { HealthController } from './health/health.controller.ts';
import { ReadinessRegistry } from './health/readiness.ts';
import { ProblemDetailsFilter } from './http/problem-details.filter.ts';
import { resolveCorrelationId, runWithCorrelation } from './logging/correlation.ts';
import { loggerParams } from './logging/logger.ts';
import { HttpMetricsMiddleware } from './metrics/http-metrics.ts';
import { Metrics } from './metrics/metrics.ts';
import { MetricsController, MetricsOffController } from './metrics/metrics.controller.ts';

function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const correlationId = resolveCorrelationId(req, res);
  runWithCorrelation({ correlationId, causationId: null }, next);
}

/** What every app boots with: validated config, JSON logs with correlation ids, health, metrics, problem+json, access-token keys. */
@Module({})
export class PlatformModule implements NestModule {
  static forApp(service: string, config: BaseConfig): DynamicModule {
    return {
      module: PlatformModule,
      global: true,
      imports: [
        LoggerModule.forRoot(loggerParams(service, config.LOG_LEVEL)),
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
      ],
      controllers: [HealthController, config.METRICS_ENABLED ? MetricsController : MetricsOffController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_SERVICE, useValue: service },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        ReadinessRegistry,
        { provide: Metrics, useFactory: () => new Metrics(config.METRICS_ENABLED) },
        HttpMetricsMiddleware,
        {
          provide: ACCESS_TOKEN_KEYS,
          useFactory: () =>
            remoteAccessTokenKeys({
              jwksUrl: config.AUTH_JWKS_URL,
              issuer: config.AUTH_ISSUER,
              audience: config.AUTH_AUDIENCE,
              cacheMaxAgeMs: config.AUTH_JWKS_CACHE_MS,
              cooldownMs: config.AUTH_JWKS_COOLDOWN_MS,
            }),
        },
      ],
      exports: [APP_CONFIG, APP_SERVICE, ReadinessRegistry, Metrics, ACCESS_TOKEN_KEYS],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(correlationMiddleware).forRoutes('*path');
  }
}
