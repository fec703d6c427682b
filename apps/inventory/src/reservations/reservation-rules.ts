// The reservation rules: what inventory does with an order's event given where the order's
// reservation stands, and how an order.placed is judged. Pure functions, no I/O: the use cases
// read the state, ask here, and carry out the answer in SQL.

/** Where an order's reservation stands; `null` when inventory has not heard of the order yet. */
export type ReservationState = 'HELD' | 'COMMITTED' | 'RELEASED' | 'REJECTED' | 'TOMBSTONE' | 'REFUSED_CANCELLED';

/** The order events inventory reacts to. */
export type OrderEventType = 'order.placed' | 'order.confirmed' | 'order.cancelled';

/** What to do with an order event. */
export type ReservationAction =
  /** order.placed, first time: reserve every item or none. */
  | 'reserve'
  /** order.placed after the order was cancelled: reserve nothing, publish nothing, record the refusal. */
  | 'refuse'
  /** order.confirmed of a held reservation: reserved → sold. */
  | 'commit'
  /** order.cancelled of a held reservation: reserved → available, publish inventory.released. */
  | 'release'
  /** order.cancelled before any order.placed: remember it, so the late order.placed is refused. */
  | 'tombstone'
  /** order.confirmed of an order inventory never reserved for: cannot happen legitimately. */
  | 'fail'
  /** A repeat, or too late to matter: nothing to do. */
  | 'ignore';

const RULES: Record<OrderEventType, Record<ReservationState | 'NONE', ReservationAction>> = {
  'order.placed': {
    NONE: 'reserve',
    TOMBSTONE: 'refuse',
    // Any outcome already recorded, under whichever event id: the order was served once.
    HELD: 'ignore',
    COMMITTED: 'ignore',
    RELEASED: 'ignore',
    REJECTED: 'ignore',
    REFUSED_CANCELLED: 'ignore',
  },
  'order.confirmed': {
    HELD: 'commit',
    // The order app confirms only after inventory.reserved, which is published with the HELD row;
    // no row means this database lost it or the event is not ours: fail loudly (retry, then DLQ)
    // rather than drop the sale silently.
    NONE: 'fail',
    COMMITTED: 'ignore',
    RELEASED: 'ignore',
    REJECTED: 'ignore',
    TOMBSTONE: 'ignore',
    REFUSED_CANCELLED: 'ignore',
  },
  'order.cancelled': {
    HELD: 'release',
    NONE: 'tombstone',
    COMMITTED: 'ignore',
    RELEASED: 'ignore',
    REJECTED: 'ignore',
    TOMBSTONE: 'ignore',
    REFUSED_CANCELLED: 'ignore',
  },
};

/** The action for `event` when the order's reservation is in `state` (`null`: none yet). */
export function decide(event: OrderEventType, state: ReservationState | null): ReservationAction {
  return RULES[event][state ?? 'NONE'];
}

/** An sku and a quantity of it. */
export interface StockLine {
  sku: string;
  quantity: number;
}

/**
 * The lines of an order with duplicate skus summed, sorted by sku: the order in which stock rows
 * are locked, so two orders that share skus never wait on each other in a cycle (no deadlock).
 */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const bySku = new Map<string, number>();
  for (const { sku, quantity } of lines) bySku.set(sku, (bySku.get(sku) ?? 0) + quantity);
  return [...bySku.entries()].map(([sku, quantity]) => ({ sku, quantity })).sort((a, b) => compareSkus(a.sku, b.sku));
}

/** Why an order.placed was not served, and the skus to blame. */
export interface Rejection {
  reason: 'UNKNOWN_SKU' | 'OUT_OF_STOCK';
  skus: string[];
}

/** The skus of `lines` that are not in the catalog, sorted. */
export function unknownSkus(lines: readonly StockLine[], known: Iterable<string>): string[] {
  const catalog = new Set(known);
  return [...new Set(lines.map((l) => l.sku))].filter((sku) => !catalog.has(sku)).sort(compareSkus);
}

/**
 * The verdict on an order.placed: null when every line was reserved. An unknown sku takes
 * precedence over a shortage (stock cannot be judged for a product that does not exist).
 */
export function rejectionOf(outcome: { unknown: readonly string[]; short: readonly string[] }): Rejection | null {
  if (outcome.unknown.length > 0) return { reason: 'UNKNOWN_SKU', skus: [...outcome.unknown].sort(compareSkus) };
  if (outcome.short.length > 0) return { reason: 'OUT_OF_STOCK', skus: [...outcome.short].sort(compareSkus) };
  return null;
}

/** Code-unit order of skus, the same on every machine (localeCompare is not). */
export function compareSkus(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
