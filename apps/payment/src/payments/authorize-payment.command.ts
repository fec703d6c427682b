import type { EventOf } from '@commerce/contracts';
import { Command } from '@nestjs/cqrs';
import type { PaymentTransaction } from '../payment.database.ts';

/** An order was placed: authorize its total. Runs in `tx`, the event's transaction with its inbox row. */
export class AuthorizePaymentCommand extends Command<void> {
  constructor(
    readonly event: EventOf<'order.placed'>,
    readonly tx: PaymentTransaction,
  ) {
    super();
  }
}
