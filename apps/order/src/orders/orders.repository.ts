import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.ts';
import { OrderDatabase, type OrderTransaction } from '../order.database.ts';
import { Order, type OrderState } from './order.entity.ts';
import type { HistoryEntry, OrderView } from './order.view.ts';

type Item = { sku: string; quantity: number; unitPriceCents: number };

type ViewRow = {
  id: string;
  customerId: string;
  status: string;
  cancelReason: string | null;
  totalCents: number;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
  items: Item[];
};

/** A history line to append: the event, and the status it left the order in. */
export interface HistoryLine {
  orderId: string;
  eventId: string;
  eventType: string;
  status: string;
  changed: boolean;
  reason?: string;
}

/**
 * An order locked in the caller's transaction: the aggregate, with what its events and its view
 * need besides. `save` moves `updatedAt` to the time it wrote.
 */
export type LockedOrder = Order & { totalCents: number; currency: string; createdAt: Date; updatedAt: Date };

function toView(row: ViewRow): OrderView {
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    ...(row.cancelReason ? { cancelReason: row.cancelReason } : {}),
    items: row.items.map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
    totalCents: row.totalCents,
    currency: row.currency,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

// Every statement below is one round trip: an order is read with its items (a JSON array, in sku
// order) in one query, and written with its items and history line in one statement.
const itemsOf = (table: Prisma.Sql) => Prisma.sql`
  COALESCE((SELECT json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents)
                            ORDER BY i.sku)
            FROM ${table}), '[]'::json)`;

const ORDER_COLUMNS = Prisma.sql`o.id, o.customer_id AS "customerId", o.status, o.cancel_reason AS "cancelReason",
  o.total_cents AS "totalCents", o.currency, o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

const VIEW_COLUMNS = Prisma.sql`${ORDER_COLUMNS},
  ${itemsOf(Prisma.sql`order_items i WHERE i.order_id = o.id`)} AS items`;

type LockedRow = OrderState & {
  totalCents: number;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
  items: Item[] | null;
};

// What a locked order is read with: the aggregate's state and what its events and view need besides.
const LOCKED_COLUMNS = Prisma.sql`o.id, o.customer_id AS "customerId", o.status, o.cancel_reason AS "cancelReason",
  o.inventory_status AS "inventoryStatus", o.payment_status AS "paymentStatus",
  o.total_cents AS "totalCents", o.currency, o.created_at AS "createdAt", o.updated_at AS "updatedAt"`;

function toLocked({ totalCents, currency, createdAt, updatedAt, items, ...state }: LockedRow) {
  return { order: Object.assign(new Order(state), { totalCents, currency, createdAt, updatedAt }), items };
}

/** Orders, their items and history, and idempotency keys, in the `orders` schema. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly db: OrderDatabase) {}

  /**
   * Inserts a new order with its items and its first history line (`placed`), in one statement,
   * and returns its view.
   */
  async create(
    tx: OrderTransaction,
    order: Order,
    items: Item[],
    totalCents: number,
    currency: string,
    placed: { eventId: string; eventType: string },
  ): Promise<OrderView> {
    const s = order.snapshot;
    const at = new Date();
    const [row] = await tx.$queryRaw<ViewRow[]>`
      WITH o AS (
        INSERT INTO orders (id, customer_id, status, inventory_status, payment_status, total_cents, currency,
                            created_at, updated_at)
        VALUES (${s.id}::uuid, ${s.customerId}, ${s.status}, ${s.inventoryStatus}, ${s.paymentStatus},
                ${totalCents}, ${currency}, ${at}, ${at})
        RETURNING *
      ), i AS (
        INSERT INTO order_items (order_id, sku, quantity, unit_price_cents)
        SELECT ${s.id}::uuid, item.sku, item.quantity, item.unit_price_cents
        FROM unnest(${items.map((i) => i.sku)}::text[], ${items.map((i) => i.quantity)}::int[],
                    ${items.map((i) => i.unitPriceCents)}::int[]) AS item (sku, quantity, unit_price_cents)
        RETURNING sku, quantity, unit_price_cents
      ), h AS (
        INSERT INTO order_history (order_id, event_id, event_type, status, changed, recorded_at)
        VALUES (${s.id}::uuid, ${placed.eventId}::uuid, ${placed.eventType}, ${s.status}, true, ${at})
      )
      SELECT ${ORDER_COLUMNS}, ${itemsOf(Prisma.sql`i`)} AS items FROM o`;
    return toView(row!);
  }

  /**
   * Claims an Idempotency-Key for `orderId`; false when the customer used it before. A concurrent
   * claim of the same key waits here until the first one's transaction ends.
   */
  async claimKey(
    tx: OrderTransaction,
    claim: { customerId: string; key: string; requestHash: string; orderId: string },
  ): Promise<boolean> {
    const claimed = await tx.$executeRaw`
      INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id)
      VALUES (${claim.customerId}, ${claim.key}, ${claim.requestHash}, ${claim.orderId}::uuid)
      ON CONFLICT DO NOTHING`;
    return claimed === 1;
  }

  /**
   * Deletes up to `limit` keys claimed more than `retentionMs` ago, oldest first; answers how many.
   * SKIP LOCKED: replicas deleting at once take different keys, and none waits on a claim in flight.
   */
  async deleteExpiredKeys(retentionMs: number, limit: number): Promise<number> {
    return this.db.$executeRaw`
      DELETE FROM idempotency_keys k
      USING (
        SELECT customer_id, key FROM idempotency_keys
        WHERE created_at < now() - make_interval(secs => ${retentionMs}::float8 / 1000)
        ORDER BY created_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      ) expired
      WHERE k.customer_id = expired.customer_id AND k.key = expired.key`;
  }

  /** The request hash a key was claimed with, and the order it made. */
  async findByKey(
    tx: OrderTransaction,
    customerId: string,
    key: string,
  ): Promise<{ requestHash: string; order: OrderView } | null> {
    const [row] = await tx.$queryRaw<Array<ViewRow & { requestHash: string }>>`
      SELECT k.request_hash AS "requestHash", ${VIEW_COLUMNS}
      FROM idempotency_keys k JOIN orders o ON o.id = k.order_id
      WHERE k.customer_id = ${customerId} AND k.key = ${key}`;
    return row ? { requestHash: row.requestHash, order: toView(row) } : null;
  }

  /** The order, locked until the transaction ends: outcomes of one order apply one at a time. */
  async lock(tx: OrderTransaction, id: string): Promise<LockedOrder | null> {
    return (await this.lockRow(tx, id, false))?.order ?? null;
  }

  /** The order and its items, locked as `lock` does: for a use case that answers with the order's view. */
  async lockWithItems(tx: OrderTransaction, id: string): Promise<{ order: LockedOrder; items: Item[] } | null> {
    const locked = await this.lockRow(tx, id, true);
    return locked && { order: locked.order, items: locked.items! };
  }

  /**
   * Up to `limit` PENDING orders placed longer than `settleTimeoutMs` ago (by the database's clock,
   * the same for every replica), oldest first, locked until the transaction ends. Orders another
   * transaction holds (an outcome being applied, another replica's sweep) are skipped, not waited for.
   */
  async lockOverdue(tx: OrderTransaction, settleTimeoutMs: number, limit: number): Promise<LockedOrder[]> {
    const rows = await tx.$queryRaw<LockedRow[]>`
      SELECT ${LOCKED_COLUMNS}, NULL AS items
      FROM orders o
      WHERE o.status = 'PENDING' AND o.created_at < now() - ${settleTimeoutMs}::int * interval '1 millisecond'
      ORDER BY o.created_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`;
    return rows.map((row) => toLocked(row).order);
  }

  private async lockRow(tx: OrderTransaction, id: string, withItems: boolean) {
    const [row] = await tx.$queryRaw<LockedRow[]>`
      SELECT ${LOCKED_COLUMNS},
             ${withItems ? itemsOf(Prisma.sql`order_items i WHERE i.order_id = o.id`) : Prisma.sql`NULL`} AS items
      FROM orders o WHERE o.id = ${id}::uuid FOR UPDATE`;
    return row ? toLocked(row) : null;
  }

  /** The view of a locked order as it is now: its state after the use case, its items as read. */
  view(order: LockedOrder, items: Item[]): OrderView {
    const { id, customerId, status, cancelReason } = order.snapshot;
    const { totalCents, currency, createdAt, updatedAt } = order;
    return toView({ id, customerId, status, cancelReason, totalCents, currency, createdAt, updatedAt, items });
  }

  /** Writes the aggregate's new state back with its history line, in one statement. */
  async save(tx: OrderTransaction, order: LockedOrder, line: HistoryLine): Promise<void> {
    const s = order.snapshot;
    const at = new Date();
    await tx.$executeRaw`
      WITH saved AS (
        UPDATE orders
        SET status = ${s.status}, cancel_reason = ${s.cancelReason}, inventory_status = ${s.inventoryStatus},
            payment_status = ${s.paymentStatus}, updated_at = ${at}
        WHERE id = ${s.id}::uuid
      )
      INSERT INTO order_history (order_id, event_id, event_type, status, changed, reason, recorded_at)
      VALUES (${line.orderId}::uuid, ${line.eventId}::uuid, ${line.eventType}, ${line.status}, ${line.changed},
              ${line.reason ?? null}, ${at})`;
    order.updatedAt = at;
  }

  /** Appends a history line (an outcome that changed nothing). */
  async record(tx: OrderTransaction, line: HistoryLine): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO order_history (order_id, event_id, event_type, status, changed, reason, recorded_at)
      VALUES (${line.orderId}::uuid, ${line.eventId}::uuid, ${line.eventType}, ${line.status}, ${line.changed},
              ${line.reason ?? null}, ${new Date()})`;
  }

  async find(id: string): Promise<OrderView | null> {
    const [row] = await this.db.$queryRaw<ViewRow[]>`SELECT ${VIEW_COLUMNS} FROM orders o WHERE o.id = ${id}::uuid`;
    return row ? toView(row) : null;
  }

  /** Newest first; `after` is the (createdAt, id) of the last order of the previous page. */
  async list(options: {
    customerId?: string;
    status?: string;
    limit: number;
    after?: { createdAt: Date; id: string };
  }): Promise<OrderView[]> {
    const where = [
      options.customerId ? Prisma.sql`o.customer_id = ${options.customerId}` : undefined,
      options.status ? Prisma.sql`o.status = ${options.status}` : undefined,
      options.after
        ? Prisma.sql`(o.created_at, o.id) < (${options.after.createdAt}, ${options.after.id}::uuid)`
        : undefined,
    ].filter((condition) => condition !== undefined);
    const rows = await this.db.$queryRaw<ViewRow[]>`
      SELECT ${VIEW_COLUMNS} FROM orders o
      ${where.length > 0 ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty}
      ORDER BY o.created_at DESC, o.id DESC
      LIMIT ${options.limit}`;
    return rows.map(toView);
  }

  /** The order's history, oldest first, with whose order it is; null when there is no such order. */
  async history(orderId: string): Promise<{ customerId: string; entries: HistoryEntry[] } | null> {
    const rows = await this.db.$queryRaw<
      Array<{
        customerId: string;
        status: string | null;
        changed: boolean | null;
        eventId: string | null;
        eventType: string | null;
        reason: string | null;
        at: Date | null;
      }>
    >`SELECT o.customer_id AS "customerId", h.status, h.changed, h.event_id AS "eventId",
             h.event_type AS "eventType", h.reason, h.recorded_at AS "at"
      FROM orders o LEFT JOIN order_history h ON h.order_id = o.id
      WHERE o.id = ${orderId}::uuid
      ORDER BY h.id`;
    if (rows.length === 0) return null;
    const entries = rows.flatMap((r) =>
      r.eventId === null
        ? [] // an order without history yet: the LEFT JOIN's one empty line
        : [
            {
              status: r.status!,
              changed: r.changed!,
              eventId: r.eventId,
              eventType: r.eventType!,
              ...(r.reason ? { reason: r.reason } : {}),
              at: r.at!.toISOString(),
            },
          ],
    );
    return { customerId: rows[0]!.customerId, entries };
  }
}
