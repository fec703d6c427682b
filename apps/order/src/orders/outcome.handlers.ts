import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Injectable, Logger } from '@nestjs/common';
import type { OrderTransaction } from '../order.database.ts';
import type { OrderOutcome } from './order.entity.ts';
import { OrderOutcomes } from './order-outcomes.ts';
import { OrdersRepository } from './orders.repository.ts';

type OutcomeEvent =
  | EventOf<'inventory.reserved'>
  | EventOf<'inventory.rejected'>
  | EventOf<'payment.authorized'>
  | EventOf<'payment.failed'>;

/** The part every outcome handler shares: lock the order, apply, record. */
@Injectable()
export class OutcomeApplier {
  private readonly logger = new Logger('OrderOutcome');

  constructor(
    private readonly orders: OrdersRepository,
    private readonly outcomes: OrderOutcomes,
  ) {}

  async apply(tx: OrderTransaction, event: OutcomeEvent, outcome: OrderOutcome): Promise<void> {
    const order = await this.orders.lock(tx, event.data.orderId);
    // Every outcome answers an order.placed this app committed first; an unknown order is not
    // ours (another environment's topic, a hand-made message): retried, then dead-lettered.
    if (!order) throw new Error(`${event.eventType} for unknown order ${event.data.orderId}`);
    const transition = await this.outcomes.apply(tx, order, outcome, {
      eventId: event.eventId,
      eventType: event.eventType,
    });
    if (!transition.changed) {
      this.logger.log(
        { orderId: event.data.orderId, eventId: event.eventId },
        `${event.eventType} ignored: ${transition.why}`,
      );
    }
  }
}

@HandlesEvent('inventory.reserved')
export class InventoryReservedHandler implements EventHandler<'inventory.reserved', OrderTransaction> {
  constructor(private readonly outcome: OutcomeApplier) {}

  handle(event: EventOf<'inventory.reserved'>, tx: OrderTransaction): Promise<void> {
    return this.outcome.apply(tx, event, { type: 'inventory.reserved' });
  }
}

@HandlesEvent('inventory.rejected')
export class InventoryRejectedHandler implements EventHandler<'inventory.rejected', OrderTransaction> {
  constructor(private readonly outcome: OutcomeApplier) {}

  handle(event: EventOf<'inventory.rejected'>, tx: OrderTransaction): Promise<void> {
    return this.outcome.apply(tx, event, { type: 'inventory.rejected', reason: event.data.reason });
  }
}

@HandlesEvent('payment.authorized')
export class PaymentAuthorizedHandler implements EventHandler<'payment.authorized', OrderTransaction> {
  constructor(private readonly outcome: OutcomeApplier) {}

  handle(event: EventOf<'payment.authorized'>, tx: OrderTransaction): Promise<void> {
    return this.outcome.apply(tx, event, { type: 'payment.authorized' });
  }
}

@HandlesEvent('payment.failed')
export class PaymentFailedHandler implements EventHandler<'payment.failed', OrderTransaction> {
  constructor(private readonly outcome: OutcomeApplier) {}

  handle(event: EventOf<'payment.failed'>, tx: OrderTransaction): Promise<void> {
    return this.outcome.apply(tx, event, { type: 'payment.failed' });
  }
}
