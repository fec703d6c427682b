import { randomUUID } from 'node:crypto';
import { createEvent, type EventOf } from '@commerce/contracts';
import type { LedgerDatabase } from '@commerce/testing';
import { addToOutbox } from '../src/outbox.ts';

/** A payment.authorized event of `orderId` (the key); `seq` travels in amountCents to check order. */
export function authorized(orderId: string, seq = 0): EventOf<'payment.authorized'> {
  return createEvent(
    'payment.authorized',
    { orderId, paymentId: randomUUID(), amountCents: seq, currency: 'USD' },
    {
      source: 'payment',
      aggregateId: orderId,
      correlationId: randomUUID(),
    },
  );
}

/** Commits the events through the outbox in one Prisma interactive transaction. */
export async function commit(db: LedgerDatabase, ...events: EventOf<'payment.authorized'>[]): Promise<void> {
  await db.$transaction((tx) => addToOutbox(tx, ...events));
}

/** For each key, the sequence numbers in the order their first copy arrived. */
export function sequencesByKey(
  values: Array<string | null>,
  options: { copies: 'first' | 'all' } = { copies: 'first' },
): Map<string, number[]> {
  const seen = new Set<string>();
  const byKey = new Map<string, number[]>();
  for (const value of values) {
    const event = JSON.parse(value!) as EventOf<'payment.authorized'>;
    if (options.copies === 'first' && seen.has(event.eventId)) continue;
    seen.add(event.eventId);
    byKey.set(event.aggregateId, [...(byKey.get(event.aggregateId) ?? []), event.data.amountCents]);
  }
  return byKey;
}

/** How many rows the ledger's outbox holds: all of them, or the published or unpublished ones. */
export async function countOutbox(
  db: LedgerDatabase,
  which: 'all' | 'published' | 'unpublished' = 'all',
): Promise<number> {
  const where = { all: 'TRUE', published: 'published_at IS NOT NULL', unpublished: 'published_at IS NULL' }[which];
  const [row] = await db.$queryRawUnsafe<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM outbox WHERE ${where}`);
  return row.n;
}
