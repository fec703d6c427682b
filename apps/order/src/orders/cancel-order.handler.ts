import { ConflictException, ForbiddenException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderDatabase } from '../order.database.ts';
import { CancelOrderCommand } from './cancel-order.command.ts';
import { assertVisible } from './order-access.ts';
import { OrderOutcomes } from './order-outcomes.ts';
import { type OrderView, OrdersRepository } from './orders.repository.ts';

/** The customer cancels their PENDING order (202); 409 once it is CONFIRMED or CANCELLED. */
@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(
    private readonly db: OrderDatabase,
    private readonly orders: OrdersRepository,
    private readonly outcomes: OrderOutcomes,
  ) {}

  execute(command: CancelOrderCommand): Promise<OrderView> {
    return this.db.$transaction(async (tx) => {
      const order = await this.orders.lock(tx, command.orderId);
      assertVisible(order?.snapshot, command.caller);
      // Admins may read every order, but only its customer may cancel it (CONTRACT.md, order).
      if (order!.snapshot.customerId !== command.caller.id) {
        throw new ForbiddenException('Only the customer who placed an order can cancel it.');
      }
      if (order!.isTerminal) {
        throw new ConflictException(`The order is already ${order!.snapshot.status} and can no longer be cancelled.`);
      }
      await this.outcomes.apply(tx, order!, { type: 'customer.cancel' });
      return (await this.orders.find(command.orderId, tx))!;
    });
  }
}
