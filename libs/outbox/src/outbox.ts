import { EVENT_HEADERS, type Envelope } from '@commerce/contracts';

/** What the outbox needs of the caller's transaction: a Prisma interactive transaction has it. */
export interface OutboxTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** The Kafka headers that travel with an event, mirroring its envelope. */
export function headersOf(envelope: Envelope): Record<string, string> {
  return {
    [EVENT_HEADERS.eventId]: envelope.eventId,
    [EVENT_HEADERS.eventType]: envelope.eventType,
    [EVENT_HEADERS.eventVersion]: String(envelope.eventVersion),
    [EVENT_HEADERS.correlationId]: envelope.correlationId,
  };
}

/**
 * Appends an event to the app's `outbox` table inside the caller's transaction: it is published
 * if and only if the transaction commits. The topic is the event type; the key its aggregate id.
 */
export async function addToOutbox(tx: OutboxTransaction, envelope: Envelope): Promise<void> {
  await tx.$executeRawUnsafe(
    'INSERT INTO "outbox" (event_id, topic, message_key, payload, headers) VALUES ($1::uuid, $2, $3, $4::jsonb, $5::jsonb)',
    envelope.eventId,
    envelope.eventType,
    envelope.aggregateId,
    JSON.stringify(envelope),
    JSON.stringify(headersOf(envelope)),
  );
}
