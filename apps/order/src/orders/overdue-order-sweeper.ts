import { APP_CONFIG, Wakeup } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { OrderConfig } from '../order.config.ts';
import { CancelOverdueOrdersCommand } from './cancel-overdue-orders.command.ts';

/**
 * Every ORDER_SETTLE_SWEEP_INTERVAL_MS, cancels the PENDING orders older than ORDER_SETTLE_TIMEOUT_MS
 * (CancelOverdueOrdersCommand), a batch per transaction, at once again while batches come back full.
 * Every replica runs one; SKIP LOCKED keeps them apart. A replica starts sweeping only once it has
 * run for the deadline itself: answers that came while the order app was down wait unread in Kafka,
 * and get that long to be read before their orders count as unanswered. A loop rather than
 * @nestjs/schedule's interval: a sweep never overlaps the previous one, a backlog drains without
 * waiting for the next tick, and shutdown waits for the batch in flight before the database closes.
 */
@Injectable()
export class OverdueOrderSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('OverdueOrderSweeper');
  private readonly wakeup = new Wakeup();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: OrderConfig,
  ) {}

  onApplicationBootstrap(): void {
    // The app and its connected microservice share one container: the hook may come twice.
    if (this.running) return;
    this.running = true;
    this.loop = this.run(Date.now());
  }

  // Before the platform closes the database (onApplicationShutdown).
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
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

  private async run(startedAt: number): Promise<void> {
    let errors = 0;
    // Ended early only by shutdown.
    await this.wakeup.sleep(Math.max(0, startedAt + this.config.ORDER_SETTLE_TIMEOUT_MS - Date.now()));
    while (this.running) {
      let full = false;
      try {
        full = (await this.sweep()).length === this.config.ORDER_SETTLE_SWEEP_BATCH_SIZE;
        errors = 0;
      } catch (error) {
        // The database is down or overloaded: the orders stay PENDING and the next sweep finds them.
        errors++;
        if (errors === 1 || errors % 20 === 0)
          this.logger.error({ err: error, errors }, 'settle deadline sweep failed');
      }
      if (this.running && !full) await this.wakeup.sleep(this.config.ORDER_SETTLE_SWEEP_INTERVAL_MS);
    }
  }
}
