import { backoff, listenForLostConnections, pgConfig, PgListener, schemaOf, Wakeup } from '@commerce/platform';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import {
  backOff,
  claimBatch,
  deletePublished,
  markPublishedAndCommit,
  type OutboxLag,
  type OutboxRow,
  readLag,
} from './outbox-claim.ts';
import { OutboxPublisher } from './outbox-publisher.ts';

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

const silent: RelayLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Publishes the rows of an app's outbox table to Kafka, in insertion order per key, at least once.
 * Several relays may run on one table. Wakes on NOTIFY and polls; backs off per row on failure
 * and never drops a row; deletes published rows after the retention; drains on stop().
 */
export class OutboxRelay {
  private readonly pool: pg.Pool;
  private readonly publisher: OutboxPublisher;
  private readonly channel: string;
  private readonly concurrency: number;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retry: { initialMs: number; maxMs: number };
  private readonly retentionMs: number;
  private readonly logger: RelayLogger;
  private running = false;
  private published = 0;
  private sendFailures = 0;
  private batchFailures = 0;
  private loops: Promise<void>[] = [];
  private listener?: PgListener;
  private cleanupTimer?: NodeJS.Timeout;
  private readonly wakeup = new Wakeup();
  private cleaning = false;
  private closed = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.concurrency = options.concurrency ?? 2;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.retry = options.retry ?? { initialMs: 500, maxMs: 60_000 };
    this.retentionMs = options.retentionMs ?? 24 * 3600_000;
    this.logger = options.logger ?? silent;
    this.channel = `${schemaOf(options.databaseUrl)}.outbox`;
    // A connection per worker, and one for lag() and the clean-up. Marking a row published need not
    // wait for its WAL flush: if a crash loses the mark, the row is sent again, which at-least-once
    // delivery allows and every consumer's inbox absorbs.
    // No bitmap scans: a published row leaves a dead entry in the pending index until VACUUM, and
    // only a plain index scan marks such entries dead as it passes them (a bitmap scan never does),
    // so with bitmap scans every poll re-reads every row published since the last VACUUM.
    const connection = pgConfig(options.databaseUrl);
    this.pool = listenForLostConnections(
      new pg.Pool({
        ...connection,
        options: `${connection.options} -c synchronous_commit=off -c enable_bitmapscan=off`,
        max: this.concurrency + 1,
        connectionTimeoutMillis: 5_000,
      }),
      (error) => this.logger.warn({ err: error }, 'outbox relay: database connection lost'),
    );
    this.publisher = new OutboxPublisher({
      kafka: options.kafka,
      topicPrefix: options.topicPrefix,
      sendTimeoutMs: options.sendTimeoutMs,
    });
  }

  /** Starts relaying in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // LISTEN wakes the relay on every commit that wrote events; polling covers a dropped connection.
    this.listener = new PgListener({
      databaseUrl: this.options.databaseUrl,
      channels: [this.channel],
      // One worker per commit: a commit's rows are one worker's batch; a second would find them held.
      onNotification: () => this.wakeup.wakeOne(),
      onListening: () => this.wake(),
      retryMs: this.pollIntervalMs,
      logger: this.logger,
      name: 'outbox relay',
    });
    this.listener.start();
    // Workers share the table as separate relays would: each holds the keys whose heads it locked,
    // so one can read and mark while another waits for Kafka.
    this.loops = Array.from({ length: this.concurrency }, () => this.run());
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
    await this.publisher.disconnect();
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

  /** Rows this relay has published (and marked) since it was made. */
  get publishedCount(): number {
    return this.published;
  }

  /** Rows whose send failed and that backed off, and batches that failed as a whole, since it was made. */
  get failureCounts(): { rows: number; batches: number } {
    return { rows: this.sendFailures, batches: this.batchFailures };
  }

  /** Unpublished rows, the age of the oldest, and the highest attempt count among them. */
  lag(): Promise<OutboxLag> {
    return readLag(this.pool);
  }

  /**
   * Claims one batch and publishes it, in one transaction: rows Kafka acknowledged are marked
   * published, the others back off. Returns the number of rows published.
   */
  async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    // pg-pool does not listen on a checked-out client: the server ending the session (a restart,
    // pg_terminate_backend) while the batch waits for Kafka is heard here (the pool's own listener
    // only covers what nobody else hears). The batch's next statement fails, and the rows stay unpublished.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      if (!lost) this.logger.warn({ err: error }, 'outbox relay: database connection lost during a batch');
      lost ??= error;
    };
    client.on('error', onError);
    let committed = false;
    try {
      const rows = await claimBatch(client, this.batchSize);
      if (rows.length === 0) {
        await client.query('COMMIT');
        committed = true;
        return 0;
      }
      const { sent, failed } = await this.publisher.publish(rows, () => this.running);
      for (const { rows: failing, error } of failed) {
        await backOff(client, failing, error, this.retry);
        this.sendFailures += failing.length;
        this.logger.warn(
          { rows: failing.length, key: failing[0].message_key, attempts: failing[0].attempts + 1, err: error },
          'outbox relay: send failed; the key backs off and will be retried',
        );
      }
      if (sent.length) {
        await this.options.faults?.afterSend?.(sent);
        await markPublishedAndCommit(client, sent);
      } else {
        await client.query('COMMIT');
      }
      committed = true;
      this.published += sent.length;
      if (sent.length === 0 && failed.length) throw failed[0].error;
      return sent.length;
    } catch (error) {
      if (!committed && !lost) await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.removeListener('error', onError);
      // A lost connection leaves the pool rather than going back to it.
      client.release(lost);
    }
  }

  /** Deletes rows published longer ago than the retention; returns how many. */
  async cleanUp(): Promise<number> {
    if (this.cleaning) return 0;
    this.cleaning = true;
    try {
      return await deletePublished(this.pool, this.retentionMs, () => this.closed);
    } finally {
      this.cleaning = false;
    }
  }

  // One worker: publishes while batches come back full, otherwise sleeps until woken or the poll
  // interval has passed; after failures it waits longer, never more than five poll intervals.
  private async run(): Promise<void> {
    let consecutiveFailures = 0;
    while (this.running) {
      let published = 0;
      try {
        published = await this.publishBatch();
        consecutiveFailures = 0;
      } catch (error) {
        consecutiveFailures++;
        this.batchFailures++;
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
      const pause = consecutiveFailures > 0 ? backoff(consecutiveFailures, this.retry) : this.pollIntervalMs;
      await this.wakeup.sleep(Math.min(pause, this.pollIntervalMs * 5));
    }
  }
}
