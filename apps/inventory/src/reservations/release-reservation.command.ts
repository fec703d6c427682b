import type { EventOf } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { InventoryTransaction } from '../inventory.database.ts';

/** An order was cancelled: its held stock goes back. Runs in `tx`, the event's transaction with its inbox row. */
export class ReleaseReservationCommand extends Command<void> {
  constructor(
    readonly event: EventOf<'order.cancelled'>,
    readonly tx: InventoryTransaction,
  ) {
    super();
  }
}
