import { Outbox } from '@commerce/outbox';
import { Injectable } from '@nestjs/common';
import type { OrderTransaction } from '../order.database.ts';
import type { Order, OrderOutcome, Transition } from './order.entity.ts';
import { OrdersRepository } from './orders.repository.ts';

type LockedOrder = Order & { totalCents: number; currency: string };

/**
 * Applies an outcome to a locked order and makes it durable: the new state, a history line
 * (also for an outcome that changed nothing), and order.confirmed / order.cancelled in the outbox.
 */
@Injectable()
export class OrderOutcomes {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly outbox: Outbox,
  ) {}

  async apply(
    tx: OrderTransaction,
    order: LockedOrder,
    outcome: OrderOutcome,
    cause?: { eventId: string; eventType: string },
  ): Promise<Transition> {
    const transition = order.apply(outcome);
    const s = order.snapshot;
    const published =
      transition.changed && transition.publish === 'order.confirmed'
        ? this.outbox.event(
            'order.confirmed',
            { orderId: s.id, customerId: s.customerId, totalCents: order.totalCents, currency: order.currency },
            s.id,
          )
        : transition.changed && transition.publish === 'order.cancelled'
          ? this.outbox.event(
              'order.cancelled',
              { orderId: s.id, customerId: s.customerId, reason: s.cancelReason! },
              s.id,
            )
          : undefined;
    if (transition.changed) await this.orders.save(tx, order);
    // A customer's cancel has no incoming event: the history names the event it published.
    const recorded = cause ?? { eventId: published!.eventId, eventType: published!.eventType };
    await this.orders.record(tx, {
      orderId: s.id,
      ...recorded,
      status: s.status,
      changed: transition.changed,
      ...(transition.changed ? (s.cancelReason ? { reason: s.cancelReason } : {}) : { reason: transition.why }),
    });
    if (published) await this.outbox.add(tx, published);
    return transition;
  }
}
