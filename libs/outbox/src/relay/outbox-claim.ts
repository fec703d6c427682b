import type pg from 'pg';

/** An outbox row as the relay sends it. */
export interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  /** The envelope as JSON text, exactly as it goes to Kafka. */
  payload: string;
  headers: Record<string, string>;
  attempts: number;
  /** The `traceparent` of the span that appended the row; null when it was not traced. */
  trace_context: string | null;
}

/** How far behind the relay is: unpublished rows, the age of the oldest, the most retried. */
export interface OutboxLag {
  unpublished: number;
  oldestAgeMs: number;
  maxAttempts: number;
}

/** A pool or one of its clients: what the statements below run on. */
type Queryable = Pick<pg.ClientBase, 'query'>;

// How a relay claims work, so that several can share one table and each key still goes out in
// insertion order, in one statement:
//  1. Read the window: the oldest pending rows (id, key), without locking or skipping any. Every
//     pending row older than the window's newest is in it, so the first row of a key in the window
//     is that key's head: its oldest pending row.
//  2. Lock those heads FOR UPDATE SKIP LOCKED, re-checking that each is still pending and out of
//     backoff. A key whose head another relay holds (or has just published) is not this relay's.
//     The heads are looked up by id (an array, so by primary key however many rows are pending), and
//     the join reads every locked head, so the keys marked held are exactly the ones locked.
//  3. Send the window's rows of the keys it holds, in id order; later rows of a key are never sent
//     by anyone while its head is pending, so none overtakes an earlier one.
const CLAIM_WINDOW = `
  WITH window_rows AS MATERIALIZED (
    SELECT id, message_key FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1
  ), held AS MATERIALIZED (
    SELECT message_key FROM outbox
    WHERE id = ANY(ARRAY(SELECT min(id) FROM window_rows GROUP BY message_key))
      AND published_at IS NULL AND next_attempt_at <= now()
    FOR UPDATE SKIP LOCKED
  )
  SELECT w.id, w.message_key, h.message_key IS NOT NULL AS held
  FROM window_rows w LEFT JOIN held h ON h.message_key = w.message_key
  ORDER BY w.id`;

const LOAD_ROWS = `
  SELECT id, topic, message_key, payload::text AS payload, headers, attempts, trace_context FROM outbox
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

/** Rows the clean-up deletes per statement, so no one statement holds many locks for long. */
const CLEAN_UP_CHUNK = 5000;

const CLEAN_UP = `
  DELETE FROM outbox WHERE id IN (
    SELECT id FROM outbox WHERE published_at < now() - make_interval(secs => $1::float8 / 1000.0)
    ORDER BY published_at LIMIT ${CLEAN_UP_CHUNK})`;

/**
 * Claims up to `batchSize` rows inside the caller's open transaction: the rows of the keys whose
 * heads this transaction has locked, in id order. They stay claimed until it commits. Empty when
 * no key is free (all pending keys are in backoff or held by other relays).
 */
export async function claimBatch(client: pg.ClientBase, batchSize: number): Promise<OutboxRow[]> {
  const claim = await lockHeads(client, batchSize);
  if (!claim) return [];
  const ids = claim.window
    .filter((r) => claim.keys.has(r.message_key))
    .slice(0, batchSize)
    .map((r) => r.id);
  const { rows } = await client.query<OutboxRow>(LOAD_ROWS, [ids]);
  return rows;
}

// Reads windows of growing size until one holds a key this relay can take: a key stuck in backoff
// with many rows (or keys other relays hold) may fill a small window, and must not stall the rest.
async function lockHeads(
  client: pg.ClientBase,
  batchSize: number,
): Promise<{ window: Array<{ id: string; message_key: string }>; keys: Set<string> } | undefined> {
  for (const size of [batchSize * 2, batchSize * 16, batchSize * 128]) {
    const { rows } = await client.query<{ id: string; message_key: string; held: boolean }>(CLAIM_WINDOW, [size]);
    const keys = new Set(rows.filter((r) => r.held).map((r) => r.message_key));
    if (keys.size) return { window: rows, keys };
    if (rows.length < size) return undefined;
  }
  return undefined;
}

/** Marks the rows published (Kafka has acknowledged them). */
export async function markPublished(client: Queryable, rows: OutboxRow[]): Promise<void> {
  await client.query(MARK_PUBLISHED, [rows.map((r) => r.id)]);
}

/**
 * Counts a failed attempt on each row and keeps it back for initialMs × 2^attempts (at most maxMs),
 * recording the error.
 */
export async function backOff(
  client: Queryable,
  rows: OutboxRow[],
  error: unknown,
  retry: { initialMs: number; maxMs: number },
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await client.query(BACK_OFF, [rows.map((r) => r.id), message.slice(0, 2000), retry.initialMs, retry.maxMs]);
}

/** Unpublished rows, the age of the oldest, and the highest attempt count among them. */
export async function readLag(client: Queryable): Promise<OutboxLag> {
  const { rows } = await client.query<{ unpublished: number; oldest_age_ms: number; max_attempts: number }>(LAG);
  return {
    unpublished: rows[0].unpublished,
    oldestAgeMs: Math.round(rows[0].oldest_age_ms),
    maxAttempts: rows[0].max_attempts,
  };
}

/**
 * Deletes rows published longer ago than `retentionMs`, a chunk at a time until fewer than a chunk
 * remain or `stopped()` says so; returns how many.
 */
export async function deletePublished(client: Queryable, retentionMs: number, stopped: () => boolean): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await client.query(CLEAN_UP, [retentionMs]);
    total += rowCount ?? 0;
    if (!rowCount || rowCount < CLEAN_UP_CHUNK || stopped()) return total;
  }
}
