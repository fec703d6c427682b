import { type AuthenticatedUser, isAdmin } from '@commerce/platform';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { decodeOrderCursor, encodeOrderCursor } from './order-cursor.ts';
import type { OrderPage } from './order.view.ts';
import { OrdersRepository } from './orders.repository.ts';

/** The caller's orders (every order for an admin), newest first, a page at a time. */
export class ListOrdersQuery extends Query<OrderPage> {
  constructor(
    readonly caller: AuthenticatedUser,
    readonly limit: number,
    readonly status?: string,
    readonly cursor?: string,
  ) {
    super();
  }
}

@QueryHandler(ListOrdersQuery)
export class ListOrdersHandler implements IQueryHandler<ListOrdersQuery> {
  constructor(private readonly orders: OrdersRepository) {}

  async execute(query: ListOrdersQuery): Promise<OrderPage> {
    // One more than asked: whether it exists says if there is a next page.
    const page = await this.orders.list({
      customerId: isAdmin(query.caller) ? undefined : query.caller.id,
      status: query.status,
      limit: query.limit + 1,
      after: query.cursor ? decodeOrderCursor(query.cursor) : undefined,
    });
    const items = page.slice(0, query.limit);
    const last = items.at(-1);
    return { items, nextCursor: page.length > query.limit && last ? encodeOrderCursor(last) : null };
  }
}
