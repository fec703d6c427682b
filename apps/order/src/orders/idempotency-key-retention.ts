import { APP_CONFIG, PeriodicBatch } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { OrderConfig } from '../order.config.ts';
import { DeleteExpiredIdempotencyKeysCommand } from './delete-expired-idempotency-keys.command.ts';

/**
 * Every IDEMPOTENCY_KEY_CLEANUP_INTERVAL_MS, deletes the idempotency keys older than
 * IDEMPOTENCY_KEY_RETENTION_HOURS, a batch of IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE per statement, at
 * once again while batches come back full: the table holds the retention's worth of keys instead of
 * growing with every keyed order. Every replica runs one (SKIP LOCKED keeps them apart); a
 * PeriodicBatch, so runs never overlap and shutdown waits for the batch in flight.
 */
@Injectable()
export class IdempotencyKeyRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IdempotencyKeyRetention');
  private readonly batches: PeriodicBatch;

  constructor(
    private readonly commands: CommandBus,
    @Inject(APP_CONFIG) private readonly config: OrderConfig,
  ) {
    this.batches = new PeriodicBatch({
      batch: async () => (await this.deleteBatch()) === config.IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE,
      intervalMs: config.IDEMPOTENCY_KEY_CLEANUP_INTERVAL_MS,
      logger: this.logger,
      // The database is down or overloaded: the keys stay a little longer, the next run finds them.
      failureMessage: 'idempotency key clean-up failed',
    });
  }

  onApplicationBootstrap(): void {
    this.batches.start();
  }

  // Before the platform closes the database (onApplicationShutdown).
  onModuleDestroy(): Promise<void> {
    return this.batches.stop();
  }

  /** Deletes one batch of expired keys; answers how many. */
  deleteBatch(): Promise<number> {
    return this.commands.execute(
      new DeleteExpiredIdempotencyKeysCommand(
        this.config.IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000,
        this.config.IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE,
      ),
    );
  }
}
