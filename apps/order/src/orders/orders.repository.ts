import { Injectable } from '@nestjs/common';
import { OrderDatabase, type OrderTransaction } from '../order.database.ts';
import { Order, type OrderState } from './order.entity.ts';
import type { HistoryEntry, OrderView } from './order.view.ts';

type Row = {
  id: string;
  customerId: string;
  status: string;
  cancelReason: string | null;
  totalCents: number;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
};

function toView(row: Row): OrderView {
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

const withItems = { items: { orderBy: { sku: 'asc' } } } as const;

/** Orders, their items and history, in the `orders` schema. */
@Injectable()
export class OrdersRepository {
  constructor(private readonly db: OrderDatabase) {}

  /** Inserts a new order with its items. */
  async create(
    tx: OrderTransaction,
    order: Order,
    items: Array<{ sku: string; quantity: number; unitPriceCents: number }>,
    totalCents: number,
    currency: string,
  ): Promise<void> {
    const s = order.snapshot;
    await tx.order.create({
      data: {
        id: s.id,
        customerId: s.customerId,
        status: s.status,
        inventoryStatus: s.inventoryStatus,
        paymentStatus: s.paymentStatus,
        totalCents,
        currency,
        items: { create: items },
      },
    });
  }

  /** The order, locked until the transaction ends: outcomes of one order apply one at a time. */
  async lock(tx: OrderTransaction, id: string): Promise<(Order & { totalCents: number; currency: string }) | null> {
    const [row] = await tx.$queryRaw<
      Array<OrderState & { totalCents: number; currency: string }>
    >`SELECT id, customer_id AS "customerId", status, cancel_reason AS "cancelReason",
             inventory_status AS "inventoryStatus", payment_status AS "paymentStatus",
             total_cents AS "totalCents", currency
      FROM orders WHERE id = ${id}::uuid FOR UPDATE`;
    if (!row) return null;
    const { totalCents, currency, ...state } = row;
    return Object.assign(new Order(state), { totalCents, currency });
  }

  /** Writes the aggregate's state back. */
  async save(tx: OrderTransaction, order: Order): Promise<void> {
    const s = order.snapshot;
    await tx.order.update({
      where: { id: s.id },
      data: {
        status: s.status,
        cancelReason: s.cancelReason,
        inventoryStatus: s.inventoryStatus,
        paymentStatus: s.paymentStatus,
        updatedAt: new Date(),
      },
    });
  }

  /** Appends a history line. */
  async record(
    tx: OrderTransaction,
    entry: { orderId: string; eventId: string; eventType: string; status: string; changed: boolean; reason?: string },
  ): Promise<void> {
    await tx.orderHistory.create({ data: { ...entry, reason: entry.reason ?? null } });
  }

  async find(id: string, tx: OrderTransaction = this.db): Promise<OrderView | null> {
    const row = await tx.order.findUnique({ where: { id }, include: withItems });
    return row ? toView(row) : null;
  }

  /** Newest first; `after` is the (createdAt, id) of the last order of the previous page. */
  async list(options: {
    customerId?: string;
    status?: string;
    limit: number;
    after?: { createdAt: Date; id: string };
  }): Promise<OrderView[]> {
    const rows = await this.db.order.findMany({
      where: {
        ...(options.customerId ? { customerId: options.customerId } : {}),
        ...(options.status ? { status: options.status } : {}),
        ...(options.after
          ? {
              OR: [
                { createdAt: { lt: options.after.createdAt } },
                { createdAt: options.after.createdAt, id: { lt: options.after.id } },
              ],
            }
          : {}),
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: options.limit,
      include: withItems,
    });
    return rows.map(toView);
  }

  async history(orderId: string): Promise<HistoryEntry[]> {
    const rows = await this.db.orderHistory.findMany({ where: { orderId }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({
      status: r.status,
      changed: r.changed,
      eventId: r.eventId,
      eventType: r.eventType,
      ...(r.reason ? { reason: r.reason } : {}),
      at: r.recordedAt.toISOString(),
    }));
  }
}
