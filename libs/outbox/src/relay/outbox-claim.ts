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
//  3. Send the window's rows of the keys it holds, in id order, up to the batch size (their payloads
//     come with the claim); later rows of a key are never sent by anyone while its head is pending,
//     so none overtakes an earlier one.
// The sizes are the relay's own integers, written into the text so that the claim can go in one
// simple query with the BEGIN before it (one round trip where a parameter would need two).
const claimWindow = (windowSize: number, batchSize: number) => {
  if (!Number.isSafeInteger(windowSize) || !Number.isSafeInteger(batchSize))
    throw new Error('outbox claim sizes must be integers');
  return `
  WITH window_rows AS MATERIALIZED (
    SELECT id, message_key FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ${windowSize}
  ), held AS MATERIALIZED (
    SELECT message_key FROM outbox
    WHERE id = ANY(ARRAY(SELECT min(id) FROM window_rows GROUP BY message_key))
      AND published_at IS NULL AND next_attempt_at <= now()
    FOR UPDATE SKIP LOCKED
  ), claimed AS MATERIALIZED (
    SELECT w.id FROM window_rows w JOIN held h ON h.message_key = w.message_key ORDER BY w.id LIMIT ${batchSize}
  )
  SELECT o.id, o.topic, o.message_key, o.payload::text AS payload, o.headers, o.attempts, o.trace_context,
         counts.held_keys, counts.window_size
  FROM (SELECT (SELECT count(*) FROM held)::int AS held_keys, (SELECT count(*) FROM window_rows)::int AS window_size) AS counts
  LEFT JOIN (claimed c JOIN outbox o ON o.id = c.id) ON true
  ORDER BY o.id`;
};

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
 * Opens a transaction on `client` and claims up to `batchSize` rows in it: the rows of the keys
 * whose heads it has locked, in id order. They stay claimed until it ends; the caller commits it
 * (markPublishedAndCommit) or rolls it back. Empty when no key is free (all pending keys are in backoff
 * or held by other relays).
 */
export async function claimBatch(client: pg.ClientBase, batchSize: number): Promise<OutboxRow[]> {
  // Windows of growing size until one holds a key this relay can take: a key stuck in backoff with
  // many rows (or keys other relays hold) may fill a small window, and must not stall the rest.
  let begin = 'BEGIN;';
  for (const windowSize of [batchSize * 2, batchSize * 16, batchSize * 128]) {
    const rows = lastResult(await client.query(`${begin}${claimWindow(windowSize, batchSize)}`)).rows as Array<
      OutboxRow & { held_keys: number; window_size: number }
    >;
    begin = '';
    const [{ held_keys, window_size }] = rows;
    if (held_keys > 0)
      return rows.filter((row) => row.id !== null).map(({ held_keys: _, window_size: __, ...row }) => row);
    if (window_size < windowSize) return [];
  }
  return [];
}

/** The result of a simple query's last statement (pg answers one result per statement). */
function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(result) ? result[result.length - 1] : result;
}

/**
 * Marks the rows published (Kafka has acknowledged them) and commits the claim's transaction, in
 * one round trip: the ids are the table's own bigints, checked to be digits, written into the text.
 */
export async function markPublishedAndCommit(client: Queryable, rows: OutboxRow[]): Promise<void> {
  const ids = rows.map((r) => {
    if (!/^\d+$/.test(r.id)) throw new Error(`outbox id is not a bigint: ${r.id}`);
    return r.id;
  });
  await client.query(`UPDATE outbox SET published_at = now() WHERE id = ANY('{${ids.join(',')}}'::bigint[]); COMMIT`);
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
