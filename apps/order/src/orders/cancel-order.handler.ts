import { ConflictException, ForbiddenException } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderDatabase } from '../order.database.ts';
import { ApplyOrderOutcomeCommand } from './apply-order-outcome.command.ts';
import { CancelOrderCommand } from './cancel-order.command.ts';
import { assertVisible } from './order-access.ts';
import type { OrderView } from './order.view.ts';
import { OrdersRepository } from './orders.repository.ts';

/** The customer cancels their PENDING order (202); 409 once it is CONFIRMED or CANCELLED. */
@CommandHandler(CancelOrderCommand)
export class CancelOrderHandler implements ICommandHandler<CancelOrderCommand> {
  constructor(
    private readonly db: OrderDatabase,
    private readonly orders: OrdersRepository,
    private readonly commands: CommandBus,
  ) {}

  execute(command: CancelOrderCommand): Promise<OrderView> {
    return this.db.$transaction(async (tx) => {
      // Locked with its items: the answer is built from what this transaction holds, not read again.
      const locked = await this.orders.lockWithItems(tx, command.orderId);
      assertVisible(locked?.order.snapshot, command.caller);
      const { order, items } = locked!;
      // Admins may read every order, but only its customer may cancel it (docs/contract.md, order).
      if (order.snapshot.customerId !== command.caller.id) {
        throw new ForbiddenException('Only the customer who placed an order can cancel it.');
      }
      if (order.isTerminal) {
        throw new ConflictException(`The order is already ${order.snapshot.status} and can no longer be cancelled.`);
      }
      await this.commands.execute(
        new ApplyOrderOutcomeCommand(command.orderId, { type: 'customer.cancel' }, tx, undefined, order),
      );
      return this.orders.view(order, items);
    });
  }
}
