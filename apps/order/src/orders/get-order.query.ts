import type { AuthenticatedUser } from '@commerce/platform';
import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { assertVisible } from './order-access.ts';
import type { OrderView } from './order.view.ts';
import { OrdersRepository } from './orders.repository.ts';

/** One order, if the caller may see it. */
export class GetOrderQuery extends Query<OrderView> {
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
