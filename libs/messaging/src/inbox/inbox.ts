/** What the inbox needs of a transaction or a client: a Prisma client or interactive transaction has it. */
export interface InboxSql {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** What recording many events at once needs: a query that returns rows. */
export interface InboxBatchSql extends InboxSql {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * Records that `consumer` handled `eventId`, inside the handler's transaction. False means it was
 * recorded before: the event is a redelivery, and its handler must not run again.
 */
export async function recordInInbox(tx: InboxSql, consumer: string, eventId: string): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    'INSERT INTO inbox (consumer, event_id) VALUES ($1, $2::uuid) ON CONFLICT DO NOTHING',
    consumer,
    eventId,
  );
  return inserted === 1;
}

/**
 * Records many (consumer, eventId) pairs in one statement, inside the batch's transaction; returns
 * the pairs that are new, as `consumer eventId`. A pair recorded before (or twice in the list) is
 * absent: its handler must not run again.
 */
export async function recordAllInInbox(
  tx: InboxBatchSql,
  entries: Array<{ consumer: string; eventId: string }>,
): Promise<Set<string>> {
  if (entries.length === 0) return new Set();
  const rows = await tx.$queryRawUnsafe<Array<{ consumer: string; event_id: string }>>(
    `INSERT INTO inbox (consumer, event_id)
     SELECT consumer, event_id::uuid FROM unnest($1::text[], $2::text[]) AS e(consumer, event_id)
     ON CONFLICT DO NOTHING
     RETURNING consumer, event_id::text`,
    entries.map((e) => e.consumer),
    entries.map((e) => e.eventId),
  );
  return new Set(rows.map((r) => inboxKey(r.consumer, r.event_id)));
}

/** The key recordAllInInbox answers with. */
export function inboxKey(consumer: string, eventId: string): string {
  return `${consumer} ${eventId}`;
}

/** Deletes inbox rows older than the retention; a redelivery after that would apply again. */
export function cleanInbox(db: InboxSql, retentionMs: number): Promise<number> {
  return db.$executeRawUnsafe(
    `DELETE FROM inbox WHERE processed_at < now() - make_interval(secs => $1::float8 / 1000.0)`,
    retentionMs,
  );
}
