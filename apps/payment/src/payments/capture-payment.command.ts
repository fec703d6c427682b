import type { EventOf } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { PaymentTransaction } from '../payment.database.ts';

/** An order was confirmed: capture its authorized payment. Runs in `tx`, the event's transaction with its inbox row. */
export class CapturePaymentCommand extends Command<void> {
  constructor(
    readonly event: EventOf<'order.confirmed'>,
    readonly tx: PaymentTransaction,
  ) {
    super();
  }
}
