// Mail benchmark (not a test):  npm run bench:mail
// How fast the notification app sends email, and what each email costs the database.
// It builds the notification app and runs it as its own process against a fresh database of its own
// (the notification schema, migrated, the app's own role), an SMTP sink in this process that takes
// BENCH_SMTP_DELAY_MS (10) to accept each message as a real server would, and a proxy in front of
// PostgreSQL that counts what the app sends (statements, BEGINs, pg_notify calls, round trips).
//   1. drain: BENCH_EMAILS (2000) due emails committed at once, one user each; timed from that
//      commit until every row is marked sent;
//   2. steady: BENCH_RATE (100) emails/s for BENCH_SECONDS (10), each committed in a transaction of
//      its own as the consumers record them; the backlog when the last is committed, and each
//      email's commit -> sent time.
// Then it checks that the sink got every email exactly once (exit code 1 if not).
// BENCH_POSTGRES_URL (a superuser URL) and KAFKA_BROKERS say where (default: the local infra);
// MAIL_* variables set here are passed on to the app (MAIL_CONCURRENCY, say).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { SERVICES } from '@commerce/contracts';
import { startTestSmtpServer } from '@commerce/testing';
import {
  applyMigrations,
  migratorDatabaseUrl,
  provisionSchemas,
  schemaRoles,
  serviceDatabaseUrl,
} from '@commerce/tools-database';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { difference, StatementCounter, type StatementCounts } from './statement-counter.ts';

const root = process.cwd(); // npm run bench:mail runs from the workspace root
const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const total = Number(process.env.BENCH_EMAILS ?? 2000);
const smtpDelayMs = Number(process.env.BENCH_SMTP_DELAY_MS ?? 10);
const rate = Number(process.env.BENCH_RATE ?? 100);
const steadySeconds = Number(process.env.BENCH_SECONDS ?? 10);
const timeoutMs = Number(process.env.BENCH_TIMEOUT_S ?? 600) * 1000;
const run = `mailbench${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const schema = SERVICES.notification.schema;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = timeoutMs): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Calls `fn(i)` for i < count at `rate` per second, on schedule (a late call does not shift the rest). */
async function paced(count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    await fn(i);
  }
}

/** What the app sent PostgreSQL per email. */
function printCost(cost: StatementCounts, emails: number): void {
  const per = (n: number) => (n / emails).toFixed(2).padStart(8);
  const kinds = Object.entries(cost.byKind)
    .sort(([, a], [, b]) => b - a)
    .map(([kind, n]) => `${kind} ${(n / emails).toFixed(2)}`)
    .join(', ');
  console.log(`  per email: transactions        ${per(cost.transactions)}`);
  console.log(`             statements          ${per(cost.statements)}   (${kinds})`);
  console.log(`             round trips         ${per(cost.roundTrips)}`);
  console.log(`             pg_notify calls     ${per(cost.notifies)}`);
}

async function main(): Promise<void> {
  // The app as it ships: bundled from its main.ts (npm run bench:mail generates its Prisma client first).
  const appBundle = 'dist/tools/mail-bench-notification.js';
  execFileSync(
    process.execPath,
    ['tools/build/build-app.ts', '--entry', 'apps/notification/src/main.ts', '--out', appBundle],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );

  const owner = schemaRoles(schema, () => randomBytes(12).toString('hex'), `${run}_${schema}`);
  await provisionSchemas(adminUrl, run, [owner]);
  const databaseUrl = serviceDatabaseUrl(adminUrl, run, owner);
  await applyMigrations({
    databaseUrl: migratorDatabaseUrl(adminUrl, run, owner),
    migrationsDir: join(root, 'prisma/notification/migrations'),
  });
  const adminOfRun = new URL(adminUrl);
  adminOfRun.pathname = `/${run}`;
  const admin = new pg.Client({ connectionString: adminOfRun.toString() });
  await admin.connect();

  const smtp = await startTestSmtpServer({ delayMs: smtpDelayMs });
  const target = new URL(adminUrl);
  const counter = await new StatementCounter({ host: target.hostname, port: Number(target.port || 5432) }).start();
  const port = await freePort();
  const mailEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MAIL_')));
  const app = spawn(process.execPath, ['--enable-source-maps', join(root, appBundle)], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: counter.through(databaseUrl),
      KAFKA_BROKERS: brokers,
      KAFKA_TOPIC_PREFIX: `${run}.`,
      SMTP_URL: smtp.url,
      // Nothing here publishes events: the outbox relay need not poll during the run.
      OUTBOX_POLL_INTERVAL_MS: '60000',
      ...mailEnv,
    },
  });
  let exited = false;
  const appExit = new Promise<void>((resolve) =>
    app.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const unsent = async () =>
    (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.notifications WHERE sent_at IS NULL`))
      .rows[0].n;
  const record = (from: number, count: number) =>
    admin.query(
      `WITH u AS (
         INSERT INTO ${schema}.users (user_id, email, name)
         SELECT '${run}-' || i, '${run}-' || i || '@bench.local', 'Bench ' || i FROM generate_series($1::int, $2::int) i
         RETURNING user_id)
       INSERT INTO ${schema}.notifications (user_id, type, order_id, subject, body)
       SELECT user_id, 'ORDER_RECEIVED', gen_random_uuid()::text, 'We received your order ' || gen_random_uuid(),
              'Hello,' || E'\\n\\n' || 'we received your order. 2 × MUG-1 at $12.50 = $25.00, 1 × TEA-9 at $3.99 = $3.99.'
              || E'\\n' || 'Total: $28.99' || E'\\n\\n' || '— Commerce'
       FROM u`,
      [from, from + count - 1],
    );

  try {
    const ready = `http://127.0.0.1:${port}/${SERVICES.notification.prefix}/health/ready`;
    await until('the notification app to be ready', async () => {
      if (exited) throw new Error('the notification app exited');
      return (await fetch(ready).catch(() => undefined))?.status === 200;
    });

    // Warm-up: connections to SMTP and PostgreSQL open, code paths compiled.
    const warmUp = 20;
    await record(1, warmUp);
    await until('the warm-up emails', async () => (await unsent()) === 0);
    await sleep(500);

    // 1. Drain: a backlog committed at once.
    let before = counter.snapshot();
    await record(warmUp + 1, total);
    const started = performance.now();
    await until('every email to be sent', async () => (await unsent()) === 0);
    const seconds = (performance.now() - started) / 1000;
    const drain = difference(counter.snapshot(), before);

    // 2. Steady: one email per transaction at `rate`, as consumers record them (each commit NOTIFYs).
    const first = warmUp + total + 1;
    const count = rate * steadySeconds;
    before = counter.snapshot();
    await paced(count, (i) => record(first + i, 1));
    const backlogAtEnd = await unsent();
    await until('every steady email to be sent', async () => (await unsent()) === 0);
    const steady = difference(counter.snapshot(), before);
    const lags = (
      await admin.query<{ ms: number }>(
        `SELECT EXTRACT(EPOCH FROM n.sent_at - n.created_at)::float8 * 1000 AS ms
         FROM ${schema}.notifications n WHERE n.user_id = ANY($1::text[]) ORDER BY 1`,
        [Array.from({ length: count }, (_, i) => `${run}-${first + i}`)],
      )
    ).rows.map((r) => r.ms);

    const expected = warmUp + total + count;
    await until('the sink to have every email', () => smtp.messages.length >= expected, 10_000);
    const ids = smtp.messages.map((m) => String(m.headers.get('message-id')));
    const duplicates = ids.length - new Set(ids).size;
    const peak = smtp.peak();
    const settings = Object.entries(mailEnv).map(([k, v]) => `, ${k}=${v}`);
    console.log(`mail benchmark: SMTP sink accepting each email after ${smtpDelayMs} ms${settings.join('')}`);
    console.log('');
    console.log(`drain: ${total} due emails committed at once`);
    console.log(`  drained in                     ${seconds.toFixed(2).padStart(8)} s`);
    console.log(`  emails/s                       ${(total / seconds).toFixed(1).padStart(8)}`);
    printCost(drain, total);
    console.log('');
    console.log(`steady: ${rate} emails/s for ${steadySeconds} s, each committed in a transaction of its own`);
    console.log(`  unsent when the last committed ${String(backlogAtEnd).padStart(8)}`);
    console.log(
      `  commit -> sent p50 / p99 / max ${[50, 99, 100].map((p) => `${percentile(lags, p).toFixed(0)} ms`).join(' / ')}`,
    );
    printCost(steady, count);
    console.log('');
    console.log(
      `SMTP: ${ids.length} messages, ${duplicates} duplicate Message-IDs, at most ${peak.sessions} connections and ${peak.messages} messages at once`,
    );
    if (duplicates || ids.length !== expected) process.exitCode = 1;
  } finally {
    app.kill('SIGTERM');
    await Promise.race([appExit, sleep(15_000)]);
    if (!exited) app.kill('SIGKILL');
    await admin.end();
    await counter.close();
    await smtp.close();
    const kafka = new Kafka({ clientId: run, brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const topics = (await kafkaAdmin.listTopics()).filter((t) => t.startsWith(`${run}.`));
    if (topics.length) await kafkaAdmin.deleteTopics({ topics });
    const groups = (await kafkaAdmin.listGroups()).groups.filter((g) => g.groupId.startsWith(`${run}.`));
    if (groups.length) await kafkaAdmin.deleteGroups(groups.map((g) => g.groupId)).catch(() => undefined);
    await kafkaAdmin.disconnect();
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS "${run}" WITH (FORCE)`);
    for (const role of [owner.role, owner.migrator.role]) await cleanup.query(`DROP ROLE IF EXISTS "${role}"`);
    await cleanup.end();
  }
}

await main();
