import { Command } from '@nestjs/cqrs';
import type { OrderView } from './order.view.ts';

/** A customer places an order; `idempotencyKey` makes a retried request return the same order. */
export class PlaceOrderCommand extends Command<OrderView> {
  constructor(
    readonly customerId: string,
    readonly items: Array<{ sku: string; quantity: number }>,
    readonly paymentToken: string,
    readonly idempotencyKey?: string,
  ) {
    super();
  }
}
