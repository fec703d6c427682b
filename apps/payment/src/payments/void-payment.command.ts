import type { EventOf } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { PaymentTransaction } from '../payment.database.ts';

/**
 * An order was cancelled: void its authorization, or remember the cancellation when the order is
 * not known here yet. Runs in `tx`, the event's transaction with its inbox row.
 */
export class VoidPaymentCommand extends Command<void> {
  constructor(
    readonly event: EventOf<'order.cancelled'>,
    readonly tx: PaymentTransaction,
  ) {
    super();
  }
}
