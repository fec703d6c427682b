import { Command } from '@nestjs/cqrs';
import type { OrderTransaction } from '../order.database.ts';
import type { OrderOutcome, Transition } from './order.entity.ts';
import type { LockedOrder } from './orders.repository.ts';

/**
 * Something happened to an order: inventory or payment answered, or its customer cancelled. Runs
 * in `tx` (the event's transaction with its inbox row, or the cancel request's).
 */
export class ApplyOrderOutcomeCommand extends Command<Transition> {
  constructor(
    readonly orderId: string,
    readonly outcome: OrderOutcome,
    readonly tx: OrderTransaction,
    /** The event that brought the outcome; a customer's cancel has none. */
    readonly cause?: { eventId: string; eventType: string },
    /** The order, when the caller locked it in `tx` already (a customer's cancel checks it first). */
    readonly locked?: LockedOrder,
  ) {
    super();
  }
}
