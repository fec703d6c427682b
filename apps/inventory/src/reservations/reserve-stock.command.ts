import type { EventOf } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { InventoryTransaction } from '../inventory.database.ts';

/** An order was placed: reserve every item or none. Runs in `tx`, the event's transaction with its inbox row. */
export class ReserveStockCommand extends Command<void> {
  constructor(
    readonly event: EventOf<'order.placed'>,
    readonly tx: InventoryTransaction,
  ) {
    super();
  }
}
