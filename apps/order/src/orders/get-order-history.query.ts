import type { AuthenticatedUser } from '@commerce/platform';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { assertVisible } from './order-access.ts';
import type { HistoryEntry } from './order.view.ts';
import { OrdersRepository } from './orders.repository.ts';

/** Every event an order has seen, with the status it left and the event id. */
export class GetOrderHistoryQuery extends Query<HistoryEntry[]> {
  constructor(
    readonly orderId: string,
    readonly caller: AuthenticatedUser,
  ) {
    super();
  }
}

@QueryHandler(GetOrderHistoryQuery)
export class GetOrderHistoryHandler implements IQueryHandler<GetOrderHistoryQuery> {
  constructor(private readonly orders: OrdersRepository) {}

  async execute(query: GetOrderHistoryQuery): Promise<HistoryEntry[]> {
    // One query: the history with whose order it is, so the check and the answer read one state.
    return assertVisible(await this.orders.history(query.orderId), query.caller).entries;
  }
}
