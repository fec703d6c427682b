/** What the inbox needs of a transaction or a client: a Prisma client or interactive transaction has it. */
export interface InboxSql {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
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

/** Deletes inbox rows older than the retention; a redelivery after that would apply again. */
export function cleanInbox(db: InboxSql, retentionMs: number): Promise<number> {
  return db.$executeRawUnsafe(
    `DELETE FROM inbox WHERE processed_at < now() - make_interval(secs => $1::float8 / 1000.0)`,
    retentionMs,
  );
}
