import { pgConfig, PgListener, schemaOf, Wakeup, withTimeout } from '@commerce/platform';
import { type Kafka, type Message, Partitioners, type Producer } from 'kafkajs';
import pg from 'pg';

/** An outbox row as the relay sends it. */
export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  /** The envelope as JSON text, exactly as it goes to Kafka. */
  payload: string;
  headers: Record<string, string>;
  attempts: number;
}

/** How far behind the relay is: unpublished rows, the age of the oldest, the most retried. */
export interface OutboxLag {
  unpublished: number;
  oldestAgeMs: number;
  maxAttempts: number;
}

/** Where the relay reports; Nest's Logger fits. */
export interface RelayLogger {
  log(message: unknown, ...rest: unknown[]): void;
  warn(message: unknown, ...rest: unknown[]): void;
  error(message: unknown, ...rest: unknown[]): void;
}

/** Fault hooks for tests and drills: a hook that throws makes the relay act as if it crashed there. */
export interface RelayFaults {
  /** Runs after Kafka acknowledged a batch and before the rows are marked published. */
  afterSend?(rows: OutboxRow[]): void | Promise<void>;
}

export interface OutboxRelayOptions {
  /** The app's DATABASE_URL (its role, `?schema=`): the relay works on that schema's `outbox`. */
  databaseUrl: string;
  kafka: Kafka;
  topicPrefix?: string;
  /** Most rows sent in one batch. */
  batchSize?: number;
  /** Batches in flight at once (each on its own connection and its own keys); default 2. */
  concurrency?: number;
  /** Polling interval: the relay also wakes on NOTIFY, so this bounds the wait if one is lost. */
  pollIntervalMs?: number;
  /** Backoff of a failed row: initialMs × 2^attempts, at most maxMs. */
  retry?: { initialMs: number; maxMs: number };
  /** Longest one send may take before the rows count as failed (kafkajs may still deliver them: at least once). */
  sendTimeoutMs?: number;
  /** Published rows are deleted after this long. */
  retentionMs?: number;
  cleanupIntervalMs?: number;
  logger?: RelayLogger;
  faults?: RelayFaults;
}

// How a relay claims work, so that several can share one table and each key still goes out in
// insertion order:
//  1. Read the window: the oldest pending rows (id, key), without locking or skipping any. Every
//     pending row older than the window's newest is in it, so the first row of a key in the window
//     is that key's head: its oldest pending row.
//  2. Lock those heads FOR UPDATE SKIP LOCKED, re-checking that each is still pending and out of
//     backoff. A key whose head another relay holds (or has just published) is not this relay's.
//  3. Send the window's rows of the keys it holds, in id order; later rows of a key are never sent
//     by anyone while its head is pending, so none overtakes an earlier one.
const READ_WINDOW = `
  SELECT id, message_key FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1`;

const LOCK_HEADS = `
  SELECT id, message_key FROM outbox
  WHERE id = ANY($1::bigint[]) AND published_at IS NULL AND next_attempt_at <= now()
  FOR UPDATE SKIP LOCKED`;

const LOAD_ROWS = `
  SELECT id, topic, message_key, payload::text AS payload, headers, attempts FROM outbox
  WHERE id = ANY($1::bigint[])
  ORDER BY id`;

const MARK_PUBLISHED = 'UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])';

const BACK_OFF = `
  UPDATE outbox SET attempts = attempts + 1, last_error = $2,
    next_attempt_at = now() + make_interval(secs => LEAST($4::float8, $3::float8 * power(2, LEAST(attempts, 30))) / 1000.0)
  WHERE id = ANY($1::bigint[])`;

const LAG = `
  SELECT count(*)::int AS unpublished,
         COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)) * 1000, 0)::float8 AS oldest_age_ms,
         COALESCE(max(attempts), 0)::int AS max_attempts
  FROM outbox WHERE published_at IS NULL`;

const CLEAN_UP = `
  DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => $1::float8 / 1000.0)
    ORDER BY published_at LIMIT 5000)`;

const silent: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Publishes the rows of an app's outbox table to Kafka, in insertion order per key, at least once.
 * Several relays may run on one table. Wakes on NOTIFY and polls; backs off per row on failure
 * and never drops a row; deletes published rows after the retention; drains on stop().
 */
export class OutboxRelay {
  private readonly pool: pg.Pool;
  private producer: Producer;
  private connecting?: Promise<void>;
  private readonly channel: string;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retry: { initialMs: number; maxMs: number };
  private readonly retentionMs: number;
  private readonly logger: RelayLogger;
  private running = false;
  private loops: Promise<void>[] = [];
  private listener?: PgListener;
  private cleanupTimer?: NodeJS.Timeout;
  private readonly wakeup = new Wakeup();
  private cleaning = false;
  private closed = false;

  constructor(private readonly options: OutboxRelayOptions) {
    // Marking a row published need not wait for its WAL flush: if a crash loses the mark, the row
    // is sent again, which at-least-once delivery allows and every consumer's inbox absorbs.
    const connection = pgConfig(options.databaseUrl);
    this.pool = new pg.Pool({
      ...connection,
      options: `${connection.options} -c synchronous_commit=off`,
      max: (options.concurrency ?? 2) + 1,
      connectionTimeoutMillis: 5_000,
    });
    this.pool.on('error', (error) => this.logger.warn({ err: error }, 'outbox relay: idle database connection failed'));
    this.producer = this.newProducer();
    this.channel = `${schemaOf(options.databaseUrl)}.outbox`;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.retry = options.retry ?? { initialMs: 500, maxMs: 60_000 };
    this.retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.logger = options.logger ?? silent;
  }

  // Idempotent: a retried request is not written twice. Retries are few and short because the
  // outbox itself retries, row by row, for as long as it takes.
  private newProducer(): Producer {
    return this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 3 },
      // Java's partitioner (murmur2): a key lands on the partition any Kafka client would choose.
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  // After a failed send the idempotent producer's sequence numbers may no longer match the broker's
  // (kafkajs rolls them back when its retries run out): a fresh producer starts a new sequence.
  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.connecting = undefined;
    await old.disconnect().catch(() => undefined);
  }

  /** Starts relaying in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // LISTEN wakes the relay on every commit that wrote events; polling covers a dropped connection.
    this.listener = new PgListener({
      databaseUrl: this.options.databaseUrl,
      channels: [this.channel],
      onNotification: () => this.wake(),
      onListening: () => this.wake(),
      retryMs: this.pollIntervalMs,
      logger: this.logger,
      name: 'outbox relay',
    });
    this.listener.start();
    // Workers share the table as separate relays would: each holds the keys whose heads it locked,
    // so one can read and mark while another waits for Kafka.
    this.loops = Array.from({ length: this.options.concurrency ?? 2 }, () => this.run());
    this.cleanupTimer = setInterval(
      () => void this.cleanUp().catch((error) => this.logger.warn({ err: error }, 'outbox clean-up failed')),
      this.options.cleanupIntervalMs ?? 60_000,
    );
    this.cleanupTimer.unref();
  }

  /** Stops claiming, lets the batch in flight finish, and closes its connections. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running = false;
    clearInterval(this.cleanupTimer);
    this.wake();
    await Promise.all(this.loops);
    await this.listener?.stop();
    await this.producer.disconnect().catch(() => undefined);
    await this.pool.end();
  }

  /** Whether the relay is relaying (started and not stopped). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Wakes the relay now (NOTIFY does this on every commit that wrote events). */
  wake(): void {
    this.wakeup.wake();
  }

  /** Unpublished rows, the age of the oldest, and the highest attempt count among them. */
  async lag(): Promise<OutboxLag> {
    const { rows } = await this.pool.query<{ unpublished: number; oldest_age_ms: number; max_attempts: number }>(LAG);
    return {
      unpublished: rows[0].unpublished,
      oldestAgeMs: Math.round(rows[0].oldest_age_ms),
      maxAttempts: rows[0].max_attempts,
    };
  }

  /** Claims one batch and publishes it; returns the number of rows published. */
  async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    let committed = false;
    try {
      await client.query('BEGIN');
      const claim = await this.claim(client);
      if (!claim) {
        await client.query('COMMIT');
        committed = true;
        return 0;
      }
      const ids = claim.window
        .filter((r) => claim.keys.has(r.message_key))
        .slice(0, this.batchSize)
        .map((r) => r.id);
      const { rows } = await client.query<OutboxRow>(LOAD_ROWS, [ids]);
      const { sent, failed } = await this.sendAll(rows);
      for (const { rows: failing, error } of failed) {
        const message = error instanceof Error ? error.message : String(error);
        await client.query(BACK_OFF, [
          failing.map((r) => r.id),
          message.slice(0, 2000),
          this.retry.initialMs,
          this.retry.maxMs,
        ]);
        this.logger.warn(
          { rows: failing.length, key: failing[0].message_key, attempts: failing[0].attempts + 1, err: error },
          'outbox relay: send failed; the key backs off and will be retried',
        );
      }
      if (sent.length) {
        await this.options.faults?.afterSend?.(sent);
        await client.query(MARK_PUBLISHED, [sent.map((r) => r.id)]);
      }
      await client.query('COMMIT');
      committed = true;
      if (sent.length === 0 && failed.length) throw failed[0].error;
      return sent.length;
    } catch (error) {
      if (!committed) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  // Reads windows of growing size until one holds a key this relay can take: a key stuck in backoff
  // with many rows (or keys other relays hold) may fill a small window, and must not stall the rest.
  private async claim(
    client: pg.PoolClient,
  ): Promise<{ window: Array<{ id: string; message_key: string }>; keys: Set<string> } | undefined> {
    for (const size of [this.batchSize * 2, this.batchSize * 16, this.batchSize * 128]) {
      const window = await client.query<{ id: string; message_key: string }>(READ_WINDOW, [size]);
      const heads = new Map<string, string>();
      for (const row of window.rows) if (!heads.has(row.message_key)) heads.set(row.message_key, row.id);
      const held = await client.query<{ message_key: string }>(LOCK_HEADS, [[...heads.values()]]);
      if (held.rowCount) return { window: window.rows, keys: new Set(held.rows.map((h) => h.message_key)) };
      if (window.rows.length < size) return undefined;
    }
    return undefined;
  }

  /** Deletes rows published longer ago than the retention; returns how many. */
  async cleanUp(): Promise<number> {
    if (this.cleaning) return 0;
    this.cleaning = true;
    try {
      let total = 0;
      for (;;) {
        const { rowCount } = await this.pool.query(CLEAN_UP, [this.retentionMs]);
        total += rowCount ?? 0;
        if (!rowCount || rowCount < 5000 || this.closed) return total;
      }
    } finally {
      this.cleaning = false;
    }
  }

  // One request for the whole batch; if Kafka refuses it, each key is tried on its own so a key
  // that cannot be published (a missing topic, an oversized message) holds back only itself. After
  // a few keys fail in a row the problem is the broker, not a key: the rest back off untried.
  private async sendAll(
    rows: OutboxRow[],
  ): Promise<{ sent: OutboxRow[]; failed: Array<{ rows: OutboxRow[]; error: unknown }> }> {
    try {
      await this.send(rows);
      return { sent: rows, failed: [] };
    } catch (batchError) {
      await this.replaceProducer();
      const byKey = new Map<string, OutboxRow[]>();
      for (const row of rows) byKey.set(row.message_key, [...(byKey.get(row.message_key) ?? []), row]);
      const sent: OutboxRow[] = [];
      const failed: Array<{ rows: OutboxRow[]; error: unknown }> = [];
      // The batch's row locks are held meanwhile: the key-by-key pass is bounded in time too.
      const deadline = Date.now() + 2 * (this.options.sendTimeoutMs ?? 30_000);
      let failuresInRow = 0;
      for (const keyRows of byKey.values()) {
        if (failuresInRow >= 3 || Date.now() > deadline || !this.running) {
          failed.push({ rows: keyRows, error: batchError });
          continue;
        }
        try {
          await this.send(keyRows);
          sent.push(...keyRows);
          failuresInRow = 0;
        } catch (error) {
          failed.push({ rows: keyRows, error });
          failuresInRow++;
          await this.replaceProducer();
        }
      }
      return { sent, failed };
    }
  }

  // Bounded: a send that neither succeeds nor fails in time counts as failed, and its rows back off.
  private async send(rows: OutboxRow[]): Promise<void> {
    const sending = this.sendNow(rows);
    sending.catch(() => undefined);
    const limit = this.options.sendTimeoutMs ?? 30_000;
    await withTimeout(sending, limit, `Kafka did not acknowledge within ${limit} ms`);
  }

  private async sendNow(rows: OutboxRow[]): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error) => {
      this.connecting = undefined;
      throw error;
    });
    await this.connecting;
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const topic = `${this.options.topicPrefix ?? ''}${row.topic}`;
      const messages = byTopic.get(topic) ?? [];
      messages.push({ key: row.message_key, value: row.payload, headers: row.headers });
      byTopic.set(topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  private async run(): Promise<void> {
    let consecutiveFailures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        consecutiveFailures = 0;
      } catch (error) {
        consecutiveFailures++;
        if (consecutiveFailures === 1 || consecutiveFailures % 20 === 0) {
          this.logger.error({ err: error, failures: consecutiveFailures }, 'outbox relay: batch failed');
        }
      }
      if (!this.running) break;
      if (published >= this.batchSize) {
        // More is waiting, and the keys this batch held are free again: let idle workers look too.
        this.wake();
        continue;
      }
      const pause =
        consecutiveFailures > 0
          ? Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** Math.min(consecutiveFailures - 1, 16))
          : this.pollIntervalMs;
      await this.sleep(Math.min(pause, this.pollIntervalMs * 5));
    }
  }

  private sleep(ms: number): Promise<void> {
    return this.wakeup.sleep(ms);
  }
}
