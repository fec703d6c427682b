import { APP_CONFIG, PeriodicBatch } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { OrderConfig } from '../order.config.ts';
import { CancelOverdueOrdersCommand } from './cancel-overdue-orders.command.ts';

/**
 * Every ORDER_SETTLE_SWEEP_INTERVAL_MS, cancels the PENDING orders older than ORDER_SETTLE_TIMEOUT_MS
 * (CancelOverdueOrdersCommand), a batch per transaction, at once again while batches come back full.
 * Every replica runs one; SKIP LOCKED keeps them apart. A replica starts sweeping only once it has
 * run for the deadline itself: answers that came while the order app was down wait unread in Kafka,
 * and get that long to be read before their orders count as unanswered. A PeriodicBatch rather than
 * @nestjs/schedule's interval: a sweep never overlaps the previous one, a backlog drains without
 * waiting for the next tick, and shutdown waits for the batch in flight before the database closes.
 */
@Injectable()
export class OverdueOrderSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OverdueOrderSweeper');
  private readonly batches: PeriodicBatch;

  constructor(
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: OrderConfig,
  ) {
    this.batches = new PeriodicBatch({
      batch: async () => (await this.sweep()).length === config.ORDER_SETTLE_SWEEP_BATCH_SIZE,
      intervalMs: config.ORDER_SETTLE_SWEEP_INTERVAL_MS,
      logger: this.logger,
      // The database is down or overloaded: the orders stay PENDING and the next sweep finds them.
      failureMessage: 'settle deadline sweep failed',
    });
  }

  onApplicationBootstrap(): void {
    // Sweeps only once this replica has run for the deadline itself (see above).
    this.batches.start(this.config.ORDER_SETTLE_TIMEOUT_MS);
  }

  // Before the platform closes the database (onApplicationShutdown).
  onModuleDestroy(): Promise<void> {
    return this.batches.stop();
  }

  /** Cancels one batch of overdue orders; answers their ids. */
  async sweep(): Promise<string[]> {
    const cancelled = await this.commands.execute(
      new CancelOverdueOrdersCommand(this.config.ORDER_SETTLE_TIMEOUT_MS, this.config.ORDER_SETTLE_SWEEP_BATCH_SIZE),
    );
    for (const orderId of cancelled)
      this.logger.warn(
        { orderId, settleTimeoutMs: this.config.ORDER_SETTLE_TIMEOUT_MS },
        'order not settled in time: cancelled with TIMEOUT',
      );
    return cancelled;
  }
}
