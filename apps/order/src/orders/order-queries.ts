import type { AuthenticatedUser } from '@commerce/platform';
import { isAdmin } from '@commerce/platform';
import { BadRequestException } from '@nestjs/common';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { assertVisible } from './order-access.ts';
import { type HistoryEntry, type OrderView, OrdersRepository } from './orders.repository.ts';

/** One order, if the caller may see it. */
export class GetOrderQuery extends Query<OrderView> {
  constructor(
    readonly orderId: string,
    readonly caller: AuthenticatedUser,
  ) {
    super();
  }
}

/** The caller's orders (every order for an admin), newest first, a page at a time. */
export class ListOrdersQuery extends Query<{ items: OrderView[]; nextCursor: string | null }> {
  constructor(
    readonly caller: AuthenticatedUser,
    readonly limit: number,
    readonly status?: string,
    readonly cursor?: string,
  ) {
    super();
  }
}

/** Every event an order has seen, with the status it left and the event id. */
export class GetOrderHistoryQuery extends Query<HistoryEntry[]> {
  constructor(
    readonly orderId: string,
    readonly caller: AuthenticatedUser,
  ) {
    super();
  }
}

@QueryHandler(GetOrderQuery)
export class GetOrderHandler implements IQueryHandler<GetOrderQuery> {
  constructor(private readonly orders: OrdersRepository) {}

  async execute(query: GetOrderQuery): Promise<OrderView> {
    return assertVisible(await this.orders.find(query.orderId), query.caller);
  }
}

/** Cursors are opaque to clients: the (createdAt, id) of the last order of a page. */
function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new BadRequestException('The cursor is not one this API returned.');
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery> {
  constructor(private readonly orders: OrdersRepository) {}

  async execute(query: ListOrdersQuery): Promise<{ items: OrderView[]; nextCursor: string | null }> {
    const page = await this.orders.list({
      customerId: isAdmin(query.caller) ? undefined : query.caller.id,
      status: query.status,
      limit: query.limit + 1,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const items = page.slice(0, query.limit);
    const last = items.at(-1);
    const nextCursor =
      page.length > query.limit && last
        ? Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url')
        : null;
    return { items, nextCursor };
  }
}

@QueryHandler(GetOrderHistoryQuery)
export class GetOrderHistoryHandler implements IQueryHandler<GetOrderHistoryQuery> {
  constructor(private readonly orders: OrdersRepository) {}

  async execute(query: GetOrderHistoryQuery): Promise<HistoryEntry[]> {
    assertVisible(await this.orders.find(query.orderId), query.caller);
    return this.orders.history(query.orderId);
  }
}
