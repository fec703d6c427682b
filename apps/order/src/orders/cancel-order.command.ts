import type { AuthenticatedUser } from '@commerce/platform';
import { Command } from '@nestjs/cqrs';
import type { OrderView } from './order.view.ts';

/** The customer cancels their PENDING order. */
export class CancelOrderCommand extends Command<OrderView> {
  constructor(
    readonly orderId: string,
    readonly caller: AuthenticatedUser,
  ) {
    super();
  }
}
