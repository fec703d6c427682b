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

// Stock moves between available, reserved and sold only here, one conditional UPDATE per line: the
// database checks and moves in one step under the row's lock, so concurrent orders can never take
// the same unit twice nor drive a column below 0 (never read-modify-write in JS). The
// products_stock_balances CHECK keeps initial + restocked = available + reserved + sold.
const MOVEMENTS = {
  reserve: `UPDATE products SET available = available - $2::int, reserved = reserved + $2::int, updated_at = now()
            WHERE sku = $1 AND available >= $2::int`,
  commit: `UPDATE products SET reserved = reserved - $2::int, sold = sold + $2::int, updated_at = now()
           WHERE sku = $1 AND reserved >= $2::int`,
  release: `UPDATE products SET reserved = reserved - $2::int, available = available + $2::int, updated_at = now()
            WHERE sku = $1 AND reserved >= $2::int`,
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

  /**
   * Available → reserved for every line or none: the lines are taken one by one, in the given
   * (sku) order, under a savepoint; if any is short the savepoint is rolled back, and the short
   * skus are returned.
   */
  async reserveAllOrNone(tx: InventoryTransaction, lines: StockLine[]): Promise<string[]> {
    await tx.$executeRawUnsafe('SAVEPOINT reserve_stock');
    const short = await this.move(tx, 'reserve', lines);
    await tx.$executeRawUnsafe(
      short.length > 0 ? 'ROLLBACK TO SAVEPOINT reserve_stock' : 'RELEASE SAVEPOINT reserve_stock',
    );
    return short;
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

  // One row at a time in the caller's order (sorted by sku): every transaction locks rows in the
  // same order, so two orders sharing skus never wait on each other in a cycle. Returns the skus
  // that did not move.
  private async move(tx: InventoryTransaction, movement: Movement, lines: StockLine[]): Promise<string[]> {
    const missed: string[] = [];
    for (const { sku, quantity } of lines) {
      const moved = await tx.$executeRawUnsafe(MOVEMENTS[movement], sku, quantity);
      if (moved === 0) missed.push(sku);
    }
    return missed;
  }
}
