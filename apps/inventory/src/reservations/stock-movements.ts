import type { InventoryTransaction } from '../inventory.database.ts';
import type { StockLine } from './reservation-rules.ts';

// Stock moves between available, reserved and sold only here, one conditional UPDATE per line: the
// database checks and moves in one step under the row's lock, so concurrent orders can never take
// the same unit twice nor drive a column below 0 (never read-modify-write in JS). The
// products_stock_balances CHECK keeps initial + restocked = available + reserved + sold.
//
// Plain functions over the caller's transaction: they keep no state, so there is nothing to inject.

const MOVEMENTS = {
  reserve: `UPDATE products SET available = available - $2::int, reserved = reserved + $2::int, updated_at = now()
            WHERE sku = $1 AND available >= $2::int`,
  commit: `UPDATE products SET reserved = reserved - $2::int, sold = sold + $2::int, updated_at = now()
           WHERE sku = $1 AND reserved >= $2::int`,
  release: `UPDATE products SET reserved = reserved - $2::int, available = available + $2::int, updated_at = now()
            WHERE sku = $1 AND reserved >= $2::int`,
} as const;

type Movement = keyof typeof MOVEMENTS;

/** Thrown when held stock is not where the reservation says it is: the data is broken, not the event. */
export class StockMismatchError extends Error {
  constructor(movement: Movement, orderId: string, skus: string[]) {
    super(`cannot ${movement} the reservation of order ${orderId}: too little reserved stock of ${skus.join(', ')}`);
    this.name = 'StockMismatchError';
  }
}

/** The skus among `skus` that the catalog has. */
export async function existingSkus(tx: InventoryTransaction, skus: string[]): Promise<string[]> {
  const rows = await tx.$queryRawUnsafe<Array<{ sku: string }>>(
    'SELECT sku FROM products WHERE sku = ANY($1::text[])',
    skus,
  );
  return rows.map((r) => r.sku);
}

/**
 * Reserves every line or none: the lines are taken one by one, in the given (sku) order, under a
 * savepoint; if any is short the savepoint is rolled back, and the short skus are returned.
 */
export async function reserveAllOrNone(tx: InventoryTransaction, lines: StockLine[]): Promise<string[]> {
  await tx.$executeRawUnsafe('SAVEPOINT reserve_stock');
  const short = await move(tx, 'reserve', lines);
  await tx.$executeRawUnsafe(
    short.length > 0 ? 'ROLLBACK TO SAVEPOINT reserve_stock' : 'RELEASE SAVEPOINT reserve_stock',
  );
  return short;
}

/** Reserved → sold for each line; throws (and the transaction rolls back) if the stock is not reserved. */
export async function commitStock(tx: InventoryTransaction, orderId: string, lines: StockLine[]): Promise<void> {
  const short = await move(tx, 'commit', lines);
  if (short.length > 0) throw new StockMismatchError('commit', orderId, short);
}

/** Reserved → available for each line; throws (and the transaction rolls back) if the stock is not reserved. */
export async function releaseStock(tx: InventoryTransaction, orderId: string, lines: StockLine[]): Promise<void> {
  const short = await move(tx, 'release', lines);
  if (short.length > 0) throw new StockMismatchError('release', orderId, short);
}

// One row at a time in the caller's order (sorted by sku): every transaction locks rows in the
// same order, so two orders sharing skus never wait on each other in a cycle. Returns the skus
// that did not move.
async function move(tx: InventoryTransaction, movement: Movement, lines: StockLine[]): Promise<string[]> {
  const missed: string[] = [];
  for (const { sku, quantity } of lines) {
    const moved = await tx.$executeRawUnsafe(MOVEMENTS[movement], sku, quantity);
    if (moved === 0) missed.push(sku);
  }
  return missed;
}
