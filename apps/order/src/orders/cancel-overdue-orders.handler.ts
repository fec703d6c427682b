import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OrderDatabase } from '../order.database.ts';
import { ApplyOrderOutcomeCommand } from './apply-order-outcome.command.ts';
import { CancelOverdueOrdersCommand } from './cancel-overdue-orders.command.ts';
import { OrdersRepository } from './orders.repository.ts';

// Enough for a full batch's statements (two per order) on a busy database; a batch that still runs
// out rolls back whole and its orders are found again by the next sweep.
const BATCH_TIMEOUT_MS = 30_000;

/**
 * Locks a batch of overdue PENDING orders (SKIP LOCKED: replicas sweeping at once take different
 * orders, and an order whose outcome is being applied right now is left to it) and applies the
 * deadline to each as any other outcome: CANCELLED with TIMEOUT, a history line naming the
 * `order.cancelled` it publishes through the outbox. An outcome that arrives after this commits
 * finds the order CANCELLED and changes nothing, as for any cancelled order.
 */
@CommandHandler(CancelOverdueOrdersCommand)
export class CancelOverdueOrdersHandler implements ICommandHandler<CancelOverdueOrdersCommand> {
  constructor(
    private readonly db: OrderDatabase,
    private readonly orders: OrdersRepository,
    private readonly commands: CommandBus,
  ) {}

  execute({ settleTimeoutMs, limit }: CancelOverdueOrdersCommand): Promise<string[]> {
    return this.db.$transaction(
      async (tx) => {
        const overdue = await this.orders.lockOverdue(tx, settleTimeoutMs, limit);
        for (const order of overdue) {
          await this.commands.execute(
            new ApplyOrderOutcomeCommand(order.snapshot.id, { type: 'deadline.passed' }, tx, undefined, order),
          );
        }
        return overdue.map((order) => order.snapshot.id);
      },
      { timeout: BATCH_TIMEOUT_MS },
    );
  }
}
