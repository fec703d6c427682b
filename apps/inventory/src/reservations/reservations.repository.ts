import { randomUUID } from 'node:crypto';
import type { InventoryTransaction } from '../inventory.database.ts';
import { mergeLines, type Rejection, type ReservationState, type StockLine } from './reservation-rules.ts';

// The reservations table, one row per order inventory has heard of, whatever the outcome: the
// order id as key makes every handler idempotent by order, not only by event id. Plain functions
// over the caller's transaction, like stock-movements.ts.

/** An order's reservation as the handlers need it. */
export interface ReservationRecord {
  orderId: string;
  reservationId: string;
  status: ReservationState;
}

// A lock space of its own: the two-int form of advisory locks never meets the one-bigint form the
// outbox takes per event key, so an order id that equals some sku cannot close a lock cycle with
// an admin's product update.
const ORDER_LOCK_SPACE = 0x494e56; // "INV"

/**
 * Takes the order's lock until the transaction ends, then reads its reservation. One order's
 * events come on three topics and may be handled at once; under the lock they take turns, and
 * each sees what the one before it committed.
 */
export async function lockReservation(tx: InventoryTransaction, orderId: string): Promise<ReservationRecord | null> {
  await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', ORDER_LOCK_SPACE, orderId);
  return tx.reservation.findUnique({
    where: { orderId },
    select: { orderId: true, reservationId: true, status: true },
  });
}

/** The lines a reservation holds, sorted by sku (the locking order). */
export async function reservedLines(tx: InventoryTransaction, orderId: string): Promise<StockLine[]> {
  return mergeLines(await tx.reservationItem.findMany({ where: { orderId }, select: { sku: true, quantity: true } }));
}

/** Records the stock held for the order; returns the new reservation id. */
export async function recordHeld(tx: InventoryTransaction, orderId: string, lines: StockLine[]): Promise<string> {
  const reservationId = randomUUID();
  await tx.reservation.create({ data: { orderId, reservationId, status: 'HELD', items: { create: lines } } });
  return reservationId;
}

/** Records that the order was not served, so a redelivery (under any event id) does nothing. */
export async function recordRejected(tx: InventoryTransaction, orderId: string, rejection: Rejection): Promise<void> {
  await tx.reservation.create({
    data: {
      orderId,
      reservationId: randomUUID(),
      status: 'REJECTED',
      rejectionReason: rejection.reason,
      rejectedSkus: rejection.skus,
    },
  });
}

/** Remembers a cancellation that came before its order.placed, so that one is refused. */
export async function recordTombstone(tx: InventoryTransaction, orderId: string): Promise<void> {
  await tx.reservation.create({ data: { orderId, reservationId: randomUUID(), status: 'TOMBSTONE' } });
}

export async function setReservationStatus(
  tx: InventoryTransaction,
  orderId: string,
  status: ReservationState,
): Promise<void> {
  await tx.reservation.update({ where: { orderId }, data: { status } });
}
