import { z } from 'zod';

/** Thrown when the environment does not satisfy an app's configuration schema. */
export class ConfigError extends Error {
  readonly problems: Array<{ variable: string; message: string }>;

  constructor(problems: ConfigError['problems']) {
    super('Invalid configuration:\n' + problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const brokerList = z
  .string()
  .trim()
  .min(1)
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[\w.-]+:\d{1,5}$/, 'each broker must be host:port')).min(1));

const postgresUrl = z
  .string()
  .trim()
  .refine((s) => /^postgres(ql)?:\/\//.test(s) && URL.canParse(s), 'must be a postgresql:// URL')
  .refine((s) => !!new URL(s).searchParams.get('schema'), 'must name its schema (?schema=<name>)');

/** The variables every app reads; each app extends this with its own. */
export const baseConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535),
  DATABASE_URL: postgresUrl,
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/, 'a size such as 100kb')
    .default('100kb'),
  // How deeply a JSON request body may nest objects and arrays: deeper is 400 before it is parsed
  // (a 30 KB body nests 5,000 levels, and whatever walks it recursively overflows the stack).
  HTTP_JSON_MAX_DEPTH: z.coerce.number().int().min(1).max(1000).default(32),
  // Whose X-Forwarded-For to believe for the client address (Express' `trust proxy`): the
  // gateway's. Private ranges by default, as in docker compose; `false` trusts nobody.
  HTTP_TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),
  // Load shedding: while the event loop runs this late on average (ms), requests other than the
  // health routes are answered 503 with Retry-After before any work begins; 0 turns it off.
  HTTP_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  // Prometheus metrics at `<prefix>/metrics`; `false` serves no such route and counts nothing (a
  // benchmark's baseline, or a deployment that scrapes nothing).
  METRICS_ENABLED: z
    .enum(['true', 'false'], 'true or false')
    .default('true')
    .transform((value) => value === 'true'),
  READY_CHECK_TIMEOUT_MS: z.coerce.number().int().positive().default(2000),
  // The app's database connections (node-postgres' pool under Prisma's adapter). A request that
  // cannot get a connection within DATABASE_POOL_TIMEOUT_MS, or start its transaction within
  // DATABASE_TX_MAX_WAIT_MS (the default `maxWait` of interactive transactions), answers 503.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
  DATABASE_TX_MAX_WAIT_MS: z.coerce.number().int().min(1).max(600_000).default(2000),
  // Topics and consumer groups; the prefix namespaces them (tests give each file its own).
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[\w.-]*$/, 'letters, digits, dot, dash, underscore')
    .default(''),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(3),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
  // Consumers: a permanent failure gets bounded retries with exponential backoff, then the dead-letter
  // topic; a transient one (database, provider) waits without spending them (docs/architecture.md).
  CONSUMER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  CONSUMER_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(200),
  CONSUMER_RETRY_MAX_MS: z.coerce.number().int().min(1).default(10_000),
  CONSUMER_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(100).default(3),
  CONSUMER_MAX_WAIT_MS: z.coerce.number().int().min(1).max(30_000).default(100),
  // How soon a group member that died without leaving (a killed app; every member after a broker
  // restart) expires so the group rebalances without it. The broker refuses one below its
  // group.min.session.timeout.ms (6 s unless configured lower); the consumer then takes a longer one.
  CONSUMER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(2_000).max(300_000).default(6_000),
  // Events of a fetched batch applied in one transaction; a failing batch is redone one by one.
  CONSUMER_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(50),
  // `/health` reports `deadLetters` down for this long after the app dead-letters a message: an alert, then quiet.
  DEAD_LETTER_ALERT_MS: z.coerce.number().int().min(0).default(900_000),
  // Longer than Kafka keeps messages (7 days by default), so a replay finds every event in the inbox.
  INBOX_RETENTION_HOURS: z.coerce.number().positive().default(720),
  // The outbox relay.
  OUTBOX_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  OUTBOX_POLL_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  OUTBOX_RETRY_INITIAL_MS: z.coerce.number().int().min(1).default(500),
  OUTBOX_RETRY_MAX_MS: z.coerce.number().int().min(1).default(60_000),
  OUTBOX_RETENTION_HOURS: z.coerce.number().positive().default(24),
  OUTBOX_MAX_LAG_MS: z.coerce.number().int().positive().default(30_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  // Access tokens: verified against the auth app's public keys (JWKS), never a shared secret.
  AUTH_JWKS_URL: z.url().default('http://127.0.0.1:3001/api/auth/.well-known/jwks.json'),
  AUTH_ISSUER: z.string().min(1).default('commerce-auth'),
  AUTH_AUDIENCE: z.string().min(1).default('commerce'),
  AUTH_JWKS_CACHE_MS: z.coerce.number().int().positive().default(600_000),
  AUTH_JWKS_COOLDOWN_MS: z.coerce.number().int().min(0).default(30_000),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/**
 * Parses `env` with `schema`; on failure throws a ConfigError naming every bad variable.
 * `defaults` fill in variables the environment leaves unset (an app's own port, say).
 */
export function loadConfig<S extends z.ZodType<BaseConfig>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
  defaults: Record<string, string> = {},
): z.infer<S> {
  const input: Record<string, string | undefined> = { ...defaults };
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') input[key] = value;
  const result = schema.safeParse(input);
  if (result.success) {
    const placeholders = result.data.NODE_ENV === 'production' ? developmentOnlyValues(result.data) : [];
    if (placeholders.length > 0) throw new ConfigError(placeholders);
    return result.data;
  }
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(root)'),
      message:
        issue.code === 'invalid_type' && input[String(issue.path[0])] === undefined ? 'is required' : issue.message,
    })),
  );
}

function urlPassword(url: string): string {
  const password = new URL(url).password;
  try {
    return decodeURIComponent(password);
  } catch {
    return password;
  }
}

/** The prefix of every placeholder secret in docker-compose.yml and .env.example. */
export const DEVELOPMENT_ONLY_PREFIX = 'dev-only-';

/**
 * Every variable of a production config that still holds a development placeholder: a value that
 * starts with `dev-only-`, or a URL (database, SMTP) whose password does. Only the schema's own
 * variables are looked at, so any secret an app adds to its schema is covered without a list.
 */
export function developmentOnlyValues(config: Record<string, unknown>): ConfigError['problems'] {
  const problems: ConfigError['problems'] = [];
  for (const [variable, value] of Object.entries(config)) {
    if (typeof value !== 'string') continue;
    if (value.startsWith(DEVELOPMENT_ONLY_PREFIX)) {
      problems.push({
        variable,
        message: `still the development placeholder (${DEVELOPMENT_ONLY_PREFIX}…); set a real secret`,
      });
    } else if (URL.canParse(value) && urlPassword(value).startsWith(DEVELOPMENT_ONLY_PREFIX)) {
      problems.push({
        variable,
        message: `its password is the development placeholder (${DEVELOPMENT_ONLY_PREFIX}…); set a real one`,
      });
    }
  }
  return problems;
}

/** Injection token of the app's validated configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Injection token of the app's name (`order`, …): the `source` of the events it publishes. */
export const APP_SERVICE = Symbol('APP_SERVICE');
