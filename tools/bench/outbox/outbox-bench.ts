// Outbox benchmark (not a test):  npm run bench:outbox
// On one broker and one PostgreSQL, measures
//   1. throughput: a raw kafkajs idempotent producer vs the outbox relay draining committed events,
//      with the same batch size (OUTBOX_BATCH_SIZE, 500);
//   2. latency at a steady rate (BENCH_RATE, 500 events/s): produce→consume for the raw producer,
//      commit→consume through the outbox (the relay woken by LISTEN/NOTIFY);
// and prints the figures and their ratios. KAFKA_BROKERS and BENCH_POSTGRES_URL (a superuser URL)
// say where; by default the local infra (npm run infra up).
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createEvent, type Envelope } from '@commerce/contracts';
import { addToOutbox, headersOf, OutboxRelay } from '@commerce/outbox';
import { ledgerClient } from '@commerce/testing';
import {
  applyMigrations,
  migratorDatabaseUrl,
  provisionSchemas,
  schemaRoles,
  serviceDatabaseUrl,
} from '@commerce/tools-database';
import { type Consumer, Kafka, logLevel, Partitioners } from 'kafkajs';
import pg from 'pg';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const total = Number(process.env.BENCH_EVENTS ?? 20_000);
const batchSize = Number(process.env.OUTBOX_BATCH_SIZE ?? 500);
const rate = Number(process.env.BENCH_RATE ?? 500);
const latencySeconds = Number(process.env.BENCH_SECONDS ?? 10);
const keys = Array.from({ length: Number(process.env.BENCH_KEYS ?? 100) }, () => randomUUID());
const run = `bench${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

const kafka = new Kafka({ clientId: run, brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();

function event(i: number, correlationId = run): Envelope {
  const orderId = keys[i % keys.length];
  return createEvent(
    'payment.authorized',
    { orderId, paymentId: randomUUID(), amountCents: i, currency: 'USD' },
    {
      source: 'payment',
      aggregateId: orderId,
      correlationId,
    },
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A consumer of `topic` from its end that calls `onMessage` with the arrival time of each message. */
async function listen(topic: string, onMessage: (value: string, at: number) => void): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let joined!: () => void;
  const ready = new Promise<void>((resolve) => {
    joined = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  await consumer.run({
    partitionsConsumedConcurrently: 3,
    eachMessage: async ({ message }) => onMessage(message.value!.toString(), performance.now()),
  });
  await ready;
  return consumer;
}

async function main(): Promise<void> {
  await admin.connect();
  const topics = ['raw', 'raw-latency', 'payment.authorized'].map((t) => `${run}.${t}`);
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: 3 })) });

  const database = run;
  const owner = schemaRoles('ledger', () => randomBytes(12).toString('hex'), `${run}_ledger`);
  await provisionSchemas(adminUrl, database, [owner]);
  const databaseUrl = serviceDatabaseUrl(adminUrl, database, owner);
  // Run from the workspace root (npm run bench:outbox), as the bundle lives in dist/.
  await applyMigrations({
    databaseUrl: migratorDatabaseUrl(adminUrl, database, owner),
    migrationsDir: join(process.cwd(), 'libs/testing/prisma/migrations'),
  });
  const db = ledgerClient(databaseUrl);

  // 1a. The raw producer: the same idempotent settings and batch size as the relay.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const rawEvents = Array.from({ length: total }, (_, i) => event(i));
  let started = performance.now();
  for (let i = 0; i < total; i += batchSize) {
    const slice = rawEvents.slice(i, i + batchSize);
    await producer.sendBatch({
      acks: -1,
      topicMessages: [
        {
          topic: `${run}.raw`,
          messages: slice.map((e) => ({ key: e.aggregateId, value: JSON.stringify(e), headers: headersOf(e) })),
        },
      ],
    });
  }
  const rawSeconds = (performance.now() - started) / 1000;

  // 1b. The outbox: a warmed-up relay (connected, idle) drains events committed in one transaction.
  const relay = new OutboxRelay({ databaseUrl, kafka, topicPrefix: `${run}.`, batchSize, pollIntervalMs: 1000 });
  relay.start();
  await db.$transaction((tx) => addToOutbox(tx, event(0, `${run}-warm-up`)));
  while ((await relay.lag()).unpublished > 0) await new Promise((r) => setTimeout(r, 20));
  const backlog = Array.from({ length: total }, (_, i) => event(i));
  await db.$transaction(
    async (tx) => {
      for (let i = 0; i < total; i += 1000) await addToOutbox(tx, ...backlog.slice(i, i + 1000));
    },
    { timeout: 60_000 },
  );
  started = performance.now();
  while ((await relay.lag()).unpublished > 0) await new Promise((r) => setTimeout(r, 20));
  const relaySeconds = (performance.now() - started) / 1000;

  // 2a. produce→consume latency of the raw producer at a steady rate.
  const count = rate * latencySeconds;
  const sentAt = new Map<string, number>();
  const rawLatencies: number[] = [];
  const rawReader = await listen(`${run}.raw-latency`, (value, at) => {
    const id = (JSON.parse(value) as Envelope).eventId;
    if (sentAt.has(id)) rawLatencies.push(at - sentAt.get(id)!);
  });
  await paced(count, async (i) => {
    const e = event(i);
    sentAt.set(e.eventId, performance.now());
    await producer.send({
      topic: `${run}.raw-latency`,
      acks: -1,
      messages: [{ key: e.aggregateId, value: JSON.stringify(e), headers: headersOf(e) }],
    });
  });
  await until(() => rawLatencies.length >= count);

  // 2b. commit→consume latency through the outbox: one event per transaction, timed from the moment
  // the commit returned (a message may arrive before that promise settles: that counts as 0 ms).
  const committedAt = new Map<string, number>();
  const arrivedAt = new Map<string, number>();
  const outboxReader = await listen(`${run}.payment.authorized`, (value, at) => {
    const e = JSON.parse(value) as Envelope;
    if (e.correlationId === `${run}-latency` && !arrivedAt.has(e.eventId)) arrivedAt.set(e.eventId, at);
  });
  await paced(count, async (i) => {
    const e = event(i, `${run}-latency`);
    await db.$transaction((tx) => addToOutbox(tx, e));
    committedAt.set(e.eventId, performance.now());
  });
  await until(() => arrivedAt.size >= count);
  const outboxLatencies = [...committedAt].map(([id, at]) => Math.max(0, arrivedAt.get(id)! - at));

  await Promise.all([rawReader.disconnect(), outboxReader.disconnect(), relay.stop(), producer.disconnect()]);
  await db.$disconnect();
  await admin.deleteTopics({ topics });
  await admin.deleteGroups([`${run}.raw-latency-reader`, `${run}.payment.authorized-reader`]).catch(() => undefined);
  await admin.disconnect();
  const cleanup = new pg.Client({ connectionString: adminUrl });
  await cleanup.connect();
  await cleanup.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  for (const role of [owner.role, owner.migrator.role]) await cleanup.query(`DROP ROLE IF EXISTS "${role}"`);
  await cleanup.end();

  const raw = total / rawSeconds;
  const outbox = total / relaySeconds;
  const r = [...rawLatencies].sort((a, b) => a - b);
  const o = [...outboxLatencies].sort((a, b) => a - b);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  console.log(
    `outbox benchmark: ${total} events of ~${JSON.stringify(rawEvents[0]).length} B over ${keys.length} keys, 3 partitions, batches of ${batchSize}`,
  );
  console.log('');
  console.log('throughput                       events/s');
  console.log(`  raw kafkajs producer           ${raw.toFixed(0).padStart(8)}`);
  console.log(`  outbox relay (drain)           ${outbox.toFixed(0).padStart(8)}`);
  console.log(`  ratio relay / raw              ${(outbox / raw).toFixed(2).padStart(8)}   (target >= 0.70)`);
  console.log('');
  console.log(`latency at ${rate} events/s for ${latencySeconds} s   p50        p99        max`);
  console.log(
    `  raw produce -> consume         ${ms(percentile(r, 50)).padStart(9)}  ${ms(percentile(r, 99)).padStart(9)}  ${ms(r[r.length - 1]).padStart(9)}`,
  );
  console.log(
    `  outbox commit -> consume       ${ms(percentile(o, 50)).padStart(9)}  ${ms(percentile(o, 99)).padStart(9)}  ${ms(o[o.length - 1]).padStart(9)}   (target p99 < 50 ms)`,
  );
  console.log(`  ratio outbox / raw (p99)       ${(percentile(o, 99) / percentile(r, 99)).toFixed(2).padStart(9)}`);
}

/** Calls `fn(i)` for i < count at `rate` per second, on schedule (a late call does not shift the rest). */
async function paced(count: number, fn: (i: number) => Promise<void>): Promise<void> {
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(fn(i));
    if (inFlight.length >= 50) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

async function until(done: () => boolean, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('benchmark timed out waiting for messages');
    await new Promise((r) => setTimeout(r, 10));
  }
}

await main();
process.exit(0);
