import type { EventOf } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { InventoryTransaction } from '../inventory.database.ts';

/** An order was confirmed: its held stock is sold. Runs in `tx`, the event's transaction with its inbox row. */
export class CommitReservationCommand extends Command<void> {
  constructor(
    readonly event: EventOf<'order.confirmed'>,
    readonly tx: InventoryTransaction,
  ) {
    super();
  }
}
