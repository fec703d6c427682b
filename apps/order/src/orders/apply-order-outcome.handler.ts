import { Outbox } from '@commerce/outbox';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ApplyOrderOutcomeCommand } from './apply-order-outcome.command.ts';
import { OrderMetrics } from './order-metrics.ts';
import type { Transition } from './order.entity.ts';
import { OrdersRepository } from './orders.repository.ts';

/**
 * Locks the order (outcomes of one order apply one at a time), lets the aggregate decide, and makes
 * it durable: the new state, a history line (also for an outcome that changed nothing), and
 * `order.confirmed` / `order.cancelled` in the outbox.
 */
@CommandHandler(ApplyOrderOutcomeCommand)
export class ApplyOrderOutcomeHandler implements ICommandHandler<ApplyOrderOutcomeCommand> {
  private readonly logger = new Logger('ApplyOrderOutcome');

  constructor(
    private readonly orders: OrdersRepository,
    private readonly outbox: Outbox,
    private readonly metrics: OrderMetrics,
  ) {}

  async execute({ orderId, outcome, tx, cause, locked }: ApplyOrderOutcomeCommand): Promise<Transition> {
    const order = locked ?? (await this.orders.lock(tx, orderId));
    // Every outcome answers an order.placed this app committed first; an unknown order is not
    // ours (another environment's topic, a hand-made message): retried, then dead-lettered.
    if (!order) throw new Error(`${cause?.eventType ?? outcome.type} for unknown order ${orderId}`);
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
    // A customer's cancel has no incoming event: the history names the event it published.
    const recorded = cause ?? { eventId: published!.eventId, eventType: published!.eventType };
    const line = {
      orderId: s.id,
      ...recorded,
      status: s.status,
      changed: transition.changed,
      ...(transition.changed ? (s.cancelReason ? { reason: s.cancelReason } : {}) : { reason: transition.why }),
    };
    // The new state and its history line in one statement; an outcome that changed nothing, its line alone.
    if (transition.changed) await this.orders.save(tx, order, line);
    else await this.orders.record(tx, line);
    if (published) await this.outbox.add(tx, published);
    if (transition.changed && s.status === 'CONFIRMED') this.metrics.confirmed(order.createdAt);
    if (transition.changed && s.status === 'CANCELLED') this.metrics.cancelled(s.cancelReason!, order.createdAt);
    if (!transition.changed)
      this.logger.log({ orderId, eventId: cause?.eventId }, `${outcome.type} ignored: ${transition.why}`);
    return transition;
  }
}
