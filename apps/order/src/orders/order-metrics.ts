import { OrderCancelledV1 } from '@commerce/contracts';
import { Metrics } from '@commerce/platform';
import { Injectable } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';
import type { CancelReason } from './order.entity.ts';

// From seconds (a fast flow) to the settle deadline's range (minutes): the histogram shows both.
const SETTLE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

/**
 * Orders as Prometheus sees them. Counted by the use cases as they change an order, inside its
 * transaction: a transaction that then rolls back (an event's batch failing after it) and is
 * applied again counts the change twice, which is rare and only ever over-counts.
 */
@Injectable()
export class OrderMetrics {
  private readonly placedTotal: Counter.Internal;
  private readonly confirmedTotal: Counter.Internal;
  private readonly cancelledTotal: Map<CancelReason, Counter.Internal>;
  private readonly cancelledByReason: Counter<'reason'>;
  private readonly settledAfter: { confirmed: Histogram.Internal<'outcome'>; cancelled: Histogram.Internal<'outcome'> };

  constructor(metrics: Metrics) {
    this.placedTotal = metrics
      .counter({ name: 'orders_placed_total', help: 'Orders placed (202 PENDING).' })
      .labels({});
    this.confirmedTotal = metrics.counter({ name: 'orders_confirmed_total', help: 'Orders confirmed.' }).labels({});
    const cancelled = (this.cancelledByReason = metrics.counter({
      name: 'orders_cancelled_total',
      help: 'Orders cancelled, by reason.',
      labelNames: ['reason'] as const,
    }));
    this.cancelledTotal = new Map(
      OrderCancelledV1.shape.reason.options.map((reason) => [reason, cancelled.labels({ reason })]),
    );
    const settle = metrics.histogram({
      name: 'order_settle_duration_seconds',
      help: 'Time from an order being placed to it being settled (confirmed or cancelled), by outcome.',
      labelNames: ['outcome'] as const,
      buckets: SETTLE_BUCKETS,
    });
    this.settledAfter = {
      confirmed: settle.labels({ outcome: 'confirmed' }),
      cancelled: settle.labels({ outcome: 'cancelled' }),
    };
  }

  placed(): void {
    this.placedTotal.inc();
  }

  /** The order placed at `createdAt` was confirmed now. */
  confirmed(createdAt: Date): void {
    this.confirmedTotal.inc();
    this.settledAfter.confirmed.observe((Date.now() - createdAt.getTime()) / 1000);
  }

  /** The order placed at `createdAt` was cancelled now, for `reason`. */
  cancelled(reason: CancelReason, createdAt: Date): void {
    (this.cancelledTotal.get(reason) ?? this.cancelledByReason.labels({ reason })).inc();
    this.settledAfter.cancelled.observe((Date.now() - createdAt.getTime()) / 1000);
  }
}
