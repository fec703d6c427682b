export {
  ACCESS_TOKEN_ALGORITHMS,
  ACCESS_TOKEN_KEYS,
  type AccessTokenKeys,
  AccessTokenKeysUnavailableError,
  type AuthenticatedUser,
  InvalidAccessTokenError,
  remoteAccessTokenKeys,
  verifyAccessToken,
} from './auth/access-token.ts';
export { AccessTokenGuard, Authenticated, CurrentUser, isAdmin } from './auth/access-token.guard.ts';
export { type AppSpec, createApp, runApp } from './bootstrap.ts';
export {
  APP_CONFIG,
  APP_SERVICE,
  type BaseConfig,
  baseConfigSchema,
  ConfigError,
  loadConfig,
} from './config/config.ts';
export { DatabaseModule, type PrismaClientLike } from './database/database.module.ts';
export { listenForLostConnections } from './database/lost-connections.ts';
export { PgListener, type PgListenerOptions } from './database/pg-listener.ts';
export { type OverloadReason, overloadReason } from './database/overload.ts';
export { type DatabaseUnavailableReason, databaseUnavailableReason } from './database/unavailable.ts';
export { pgConfig, type PoolOptions, prismaAdapter, schemaOf } from './database/prisma.ts';
export { NotReadyError, type ReadinessCheck, ReadinessRegistry } from './health/readiness.ts';
export {
  DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS,
  OVERLOAD_RETRY_AFTER_SECONDS,
  ProblemDetailsFilter,
} from './http/problem-details.filter.ts';
export { problem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './http/problem-details.ts';
export { parseInput, ZodPipe } from './http/validation.ts';
export {
  CORRELATION_HEADER,
  type CorrelationContext,
  currentCorrelation,
  resolveCorrelationId,
  runWithCorrelation,
} from './logging/correlation.ts';
export { HttpMetricsMiddleware, RouteLabels } from './metrics/http-metrics.ts';
export { LATENCY_BUCKETS, Metrics, ScrapeSample } from './metrics/metrics.ts';
export {
  type ApiRoute,
  AUTHENTICATED_PROBLEMS,
  BEARER,
  INPUT_PROBLEMS,
  json,
  ProblemDetailsSchema,
  problemResponses,
  PUBLIC,
} from './openapi/api-routes.ts';
export { buildOpenApiDocument, DOCS_ROUTES, type DocumentedApp, PLATFORM_API } from './openapi/openapi-document.ts';
export { PlatformModule } from './platform.module.ts';
export {
  isNetworkFailure,
  ProviderBreaker,
  type ProviderBreakerOptions,
  ProviderUnavailableError,
} from './resilience/provider-unavailable.ts';
export { backoff, type BackoffPolicy } from './timing/backoff.ts';
export { PeriodicBatch, type PeriodicBatchOptions } from './timing/periodic-batch.ts';
export {
  currentTraceId,
  currentTraceparent,
  flushTracing,
  formatTraceparent,
  inSpan,
  parseTraceparent,
  type SpanOptions,
  SpanKind,
  startTracing,
  type TracingOptions,
  tracingConfigured,
  tracingEnabled,
} from './tracing/tracing.ts';
export { Wakeup } from './timing/wakeup.ts';
export { withTimeout } from './timeout.ts';
