import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { InventoryTransaction } from '../inventory.database.ts';
import { mergeLines, type Rejection, type ReservationState, type StockLine } from './reservation-rules.ts';

/** An order's reservation as the use cases need it. */
export interface ReservationRecord {
  orderId: string;
  reservationId: string;
  status: ReservationState;
}

/** Thrown when held stock is not where the reservation says it is: the data is broken, not the event. */
export class StockMismatchError extends Error {
  constructor(movement: Movement, orderId: string, skus: string[]) {
    super(`cannot ${movement} the reservation of order ${orderId}: too little reserved stock of ${skus.join(', ')}`);
    this.name = 'StockMismatchError';
  }
}

// A lock space of its own: the two-int form of advisory locks never meets the one-bigint form the
// outbox takes per event key, so an order id that equals some sku cannot close a lock cycle with
// an admin's product update.
const ORDER_LOCK_SPACE = 0x494e56; // "INV"

// Stock moves between available, reserved and sold only here, in one statement per movement: it
// locks the products' rows in sku order (every transaction locks them in the same order, so two
// orders sharing skus never wait on each other in a cycle), finds the lines whose source column is
// short, and moves every line or, if any is short, none. The database checks and moves under the
// rows' locks, so concurrent orders can never take the same unit twice nor drive a column below 0
// (never read-modify-write in JS). The products_stock_balances CHECK keeps
// initial + restocked = available + reserved + sold.
const moveAllOrNone = (from: 'available' | 'reserved', to: 'reserved' | 'sold' | 'available') => `
  WITH wanted AS (
    SELECT sku, quantity FROM unnest($1::text[], $2::int[]) AS w(sku, quantity)
  ), locked AS MATERIALIZED (
    SELECT sku, ${from} AS source FROM products WHERE sku = ANY($1::text[]) ORDER BY sku FOR UPDATE
  ), short AS MATERIALIZED (
    SELECT w.sku FROM wanted w LEFT JOIN locked l ON l.sku = w.sku WHERE l.sku IS NULL OR l.source < w.quantity
  ), moved AS (
    UPDATE products p SET ${from} = p.${from} - w.quantity, ${to} = p.${to} + w.quantity, updated_at = now()
    FROM wanted w
    WHERE p.sku = w.sku AND NOT EXISTS (SELECT 1 FROM short)
  )
  SELECT sku FROM short ORDER BY sku`;

const MOVEMENTS = {
  reserve: moveAllOrNone('available', 'reserved'),
  commit: moveAllOrNone('reserved', 'sold'),
  release: moveAllOrNone('reserved', 'available'),
} as const;

type Movement = keyof typeof MOVEMENTS;

/**
 * Reservations (one row per order inventory has heard of, whatever the outcome: the order id as
 * key makes every use case idempotent by order, not only by event id), the stock they hold, and
 * the stock movements that go with them. Every method works in the caller's transaction.
 */
@Injectable()
export class ReservationsRepository {
  /**
   * Takes the order's lock until the transaction ends, then reads its reservation. One order's
   * events come on three topics and may be handled at once; under the lock they take turns, and
   * each sees what the one before it committed.
   */
  async lock(tx: InventoryTransaction, orderId: string): Promise<ReservationRecord | null> {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', ORDER_LOCK_SPACE, orderId);
    return tx.reservation.findUnique({
      where: { orderId },
      select: { orderId: true, reservationId: true, status: true },
    });
  }

  /** The lines a reservation holds, sorted by sku (the locking order). */
  async heldLines(tx: InventoryTransaction, orderId: string): Promise<StockLine[]> {
    return mergeLines(await tx.reservationItem.findMany({ where: { orderId }, select: { sku: true, quantity: true } }));
  }

  /** Records the stock held for the order; returns the new reservation id. */
  async recordHeld(tx: InventoryTransaction, orderId: string, lines: StockLine[]): Promise<string> {
    const reservationId = randomUUID();
    await tx.reservation.create({ data: { orderId, reservationId, status: 'HELD', items: { create: lines } } });
    return reservationId;
  }

  /** Records that the order was not served, so a redelivery (under any event id) does nothing. */
  async recordRejected(tx: InventoryTransaction, orderId: string, rejection: Rejection): Promise<void> {
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
  async recordTombstone(tx: InventoryTransaction, orderId: string): Promise<void> {
    await tx.reservation.create({ data: { orderId, reservationId: randomUUID(), status: 'TOMBSTONE' } });
  }

  async setStatus(tx: InventoryTransaction, orderId: string, status: ReservationState): Promise<void> {
    await tx.reservation.update({ where: { orderId }, data: { status } });
  }

  /** The skus among `skus` that the catalog has. */
  async existingSkus(tx: InventoryTransaction, skus: string[]): Promise<string[]> {
    const rows = await tx.$queryRawUnsafe<Array<{ sku: string }>>(
      'SELECT sku FROM products WHERE sku = ANY($1::text[])',
      skus,
    );
    return rows.map((r) => r.sku);
  }

  /** Available → reserved for every line or none; returns the skus that were short (none moved then). */
  async reserveAllOrNone(tx: InventoryTransaction, lines: StockLine[]): Promise<string[]> {
    return this.move(tx, 'reserve', lines);
  }

  /** Reserved → sold for each line; throws (and the transaction rolls back) if the stock is not reserved. */
  async commitStock(tx: InventoryTransaction, orderId: string, lines: StockLine[]): Promise<void> {
    const short = await this.move(tx, 'commit', lines);
    if (short.length > 0) throw new StockMismatchError('commit', orderId, short);
  }

  /** Reserved → available for each line; throws (and the transaction rolls back) if the stock is not reserved. */
  async releaseStock(tx: InventoryTransaction, orderId: string, lines: StockLine[]): Promise<void> {
    const short = await this.move(tx, 'release', lines);
    if (short.length > 0) throw new StockMismatchError('release', orderId, short);
  }

  /** Moves every line or none (see moveAllOrNone); returns the short skus, in sku order. */
  private async move(tx: InventoryTransaction, movement: Movement, lines: StockLine[]): Promise<string[]> {
    if (lines.length === 0) return [];
    const rows = await tx.$queryRawUnsafe<Array<{ sku: string }>>(
      MOVEMENTS[movement],
      lines.map((l) => l.sku),
      lines.map((l) => l.quantity),
    );
    return rows.map((r) => r.sku);
  }
}
