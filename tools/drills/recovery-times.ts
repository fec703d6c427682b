// Measures how long the order app takes to come back: from its (re)start to serving HTTP
// (/health/live), to ready (/health/ready), to every component up (/health), and to consuming an
// event sent at that moment (a product.upserted whose row appears in its catalog). Rounds: a cold
// start, a restart after SIGKILL (the old member stays in the group until its session expires),
// a restart after SIGTERM (the old member leaves), and with --broker a restart of the broker,
// timed from the moment it answers again.
//   node tools/build/run-tool.ts tools/drills/recovery-times.ts [--broker]
// Use a broker of your own for --broker: it is stopped and started through tools/infra with the
// environment given (e.g. COMMERCE_INFRA_STATE=/tmp/mine KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093
// KAFKA_CHAOS_PORT=off KAFKA_BROKERS=127.0.0.1:29092). The app is the built one (APP_BUNDLE, default
// dist/apps/order/main.js); CONSUMER_* and other variables in the environment reach it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';
import { createEvent, headersOfEnvelope, SERVICES } from '@commerce/contracts';
import {
  applyMigrations,
  migratorDatabaseUrl,
  provisionSchemas,
  schemaRoles,
  serviceDatabaseUrl,
} from '@commerce/tools-database';

const root = join(import.meta.dirname, '../..');
const infra = join(root, 'tools/infra/infra');
const bundle = process.env.APP_BUNDLE ?? join(root, 'dist/apps/order/main.js');
const adminUrl = process.env.STACK_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const port = Number(process.env.RECOVERY_PORT ?? '3201');
const restartBroker = process.argv.includes('--broker');
const prefix = `recovery-${randomBytes(4).toString('hex')}.`;
const database = 'commerce_recovery';
const schema = SERVICES.order.schema;
const base = `http://127.0.0.1:${port}/${SERVICES.order.prefix}`;

const owner = schemaRoles(schema, () => randomBytes(16).toString('hex'), `${schema}_recovery`);
await provisionSchemas(adminUrl, database, [owner]);
const databaseUrl = serviceDatabaseUrl(adminUrl, database, owner);
await applyMigrations({
  databaseUrl: migratorDatabaseUrl(adminUrl, database, owner),
  migrationsDir: join(root, 'prisma/order/migrations'),
});
const catalog = new pg.Client({ connectionString: databaseUrl });
await catalog.connect();

const kafka = new Kafka({
  clientId: 'recovery-times',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
  retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 },
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });

let app: ChildProcess | undefined;
function startApp(): ChildProcess {
  const child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: brokers,
      KAFKA_CLIENT_ID: 'order-recovery',
      KAFKA_TOPIC_PREFIX: prefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
      AUTH_JWKS_URL: 'http://127.0.0.1:1/jwks.json',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  app = child;
  return child;
}

const status = (path: string) =>
  fetch(`${base}${path}`).then(
    (r) => r.status,
    () => 0,
  );

/** Polls until `probe` holds; the milliseconds from `since`. */
async function after(since: number, probe: () => Promise<boolean>, limitMs = 120_000): Promise<number> {
  while (!(await probe())) {
    if (app?.exitCode !== null && app?.exitCode !== undefined) throw new Error(`the app exited (${app.exitCode})`);
    if (Date.now() - since > limitMs) return Number.NaN;
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - since;
}

/** Sends a product.upserted now and resolves with when the app has applied it (its catalog row). */
async function consumedAfter(since: number): Promise<number> {
  const sku = `REC-${randomUUID().slice(0, 8)}`;
  const event = createEvent(
    'product.upserted',
    { sku, name: 'Recovery', priceCents: 100, currency: 'USD' },
    { source: 'inventory', aggregateId: sku, correlationId: randomUUID() },
  );
  void producer
    .send({
      topic: `${prefix}product.upserted`,
      messages: [{ key: sku, value: JSON.stringify(event), headers: headersOfEnvelope(event) }],
    })
    .catch((error: Error) => console.error(`[recovery] could not send: ${error.message}`));
  return after(since, async () => {
    const found = await catalog.query('SELECT 1 FROM catalog_products WHERE sku = $1', [sku]).catch(() => undefined);
    return (found?.rowCount ?? 0) > 0;
  });
}

type Round = { round: string; live: number; ready: number; health: number; consumed: number };
const rounds: Round[] = [];

async function measure(round: string, since: number): Promise<void> {
  const [live, ready, health, consumed] = await Promise.all([
    after(since, async () => (await status('/health/live')) === 200),
    after(since, async () => (await status('/health/ready')) === 200),
    after(since, async () => (await status('/health')) === 200),
    consumedAfter(since),
  ]);
  rounds.push({ round, live, ready, health, consumed });
  console.log(`[recovery] ${round}: live ${live} ms, ready ${ready} ms, /health ${health} ms, consumed ${consumed} ms`);
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

try {
  // The topics exist before the first round, so that each round measures the app, not topic creation.
  const first = startApp();
  await after(Date.now(), async () => (await status('/health')) === 200);
  await producer.connect();
  first.kill('SIGTERM');
  await exited(first);

  let since = Date.now();
  startApp();
  await measure('start (group left cleanly before)', since);

  for (let i = 1; i <= Number(process.env.RECOVERY_ROUNDS ?? '2'); i++) {
    app!.kill('SIGKILL');
    await exited(app!);
    since = Date.now();
    startApp();
    await measure(`restart after SIGKILL #${i}`, since);

    app!.kill('SIGTERM');
    await exited(app!);
    since = Date.now();
    startApp();
    await measure(`restart after SIGTERM #${i}`, since);

    if (restartBroker) {
      execFileSync(infra, ['down', '--kafka-only'], { stdio: 'inherit' });
      execFileSync(infra, ['up'], { stdio: 'inherit' });
      await measure(`broker restart #${i} (from the broker answering)`, Date.now());
    }
  }
} finally {
  app?.kill('SIGTERM');
  if (app) await exited(app);
  await producer.disconnect().catch(() => undefined);
  await catalog.end().catch(() => undefined);
}
console.log('[recovery] round                                      live    ready  /health  consumed (ms from restart)');
for (const r of rounds)
  console.log(
    `[recovery] ${r.round.padEnd(42)} ${[r.live, r.ready, r.health, r.consumed].map((n) => String(n).padStart(7)).join(' ')}`,
  );
