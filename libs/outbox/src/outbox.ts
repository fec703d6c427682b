import { type Envelope, headersOfEnvelope } from '@commerce/contracts';
import { currentTraceparent, inSpan } from '@commerce/platform';

/** What the outbox needs of the caller's transaction: a Prisma interactive transaction has it. */
export interface OutboxTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** The Kafka headers that travel with an event, mirroring its envelope (defined in contracts). */
export const headersOf = headersOfEnvelope;

/**
 * Appends events to the app's `outbox` table inside the caller's transaction: they are published
 * if and only if the transaction commits. The topic is the event type; the key its aggregate id.
 * Transactions writing events of the same key take turns (a transaction-scoped advisory lock per
 * key), so a key's rows commit in the order of their ids and the relay sends them in that order.
 * When tracing is on, each row keeps the `traceparent` of this append's span (a child of the
 * request's or handler's span): the relay sends it with the event, so the trace goes on past the table.
 */
export function addToOutbox(tx: OutboxTransaction, ...envelopes: Envelope[]): Promise<void> {
  if (envelopes.length === 0) return Promise.resolve();
  return inSpan(
    'outbox append',
    {
      attributes: {
        'messaging.batch.message_count': envelopes.length,
        'messaging.destination.name': envelopes[0].eventType,
      },
    },
    () => insertRows(tx, envelopes, currentTraceparent()),
  );
}

// One statement: the keys' turns are taken (the InitPlan, before any row is made) and then the rows
// inserted, so each id is drawn while its key's lock is held.
async function insertRows(tx: OutboxTransaction, envelopes: Envelope[], traceContext: string | null): Promise<void> {
  const keys = [...new Set(envelopes.map((e) => e.aggregateId))].sort();
  const values: unknown[] = [keys];
  const tuples = envelopes.map((envelope, i) => {
    values.push(
      envelope.eventId,
      envelope.eventType,
      envelope.aggregateId,
      JSON.stringify(envelope),
      JSON.stringify(headersOf(envelope)),
      traceContext,
    );
    const p = i * 6 + 1;
    return `($${p + 1}::uuid, $${p + 2}::text, $${p + 3}::text, $${p + 4}::jsonb, $${p + 5}::jsonb, $${p + 6}::text)`;
  });
  await tx.$executeRawUnsafe(
    `WITH turns AS MATERIALIZED (
       SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k ORDER BY k
     )
     INSERT INTO "outbox" (event_id, topic, message_key, payload, headers, trace_context)
     SELECT * FROM (VALUES ${tuples.join(', ')}) AS v
     WHERE (SELECT count(*) FROM turns) > 0`,
    ...values,
  );
}
