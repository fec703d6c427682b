import { APP_CONFIG, Wakeup } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { OrderConfig } from '../order.config.ts';
import { DeleteExpiredIdempotencyKeysCommand } from './delete-expired-idempotency-keys.command.ts';

/**
 * Every IDEMPOTENCY_KEY_CLEANUP_INTERVAL_MS, deletes the idempotency keys older than
 * IDEMPOTENCY_KEY_RETENTION_HOURS, a batch of IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE per statement, at
 * once again while batches come back full: the table holds the retention's worth of keys instead of
 * growing with every keyed order. Every replica runs one (SKIP LOCKED keeps them apart); a loop, as
 * the settle sweep, so runs never overlap and shutdown waits for the batch in flight.
 */
@Injectable()
export class IdempotencyKeyRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('IdempotencyKeyRetention');
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
    this.loop = this.run();
  }

  // Before the platform closes the database (onApplicationShutdown).
  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
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

  private async run(): Promise<void> {
    let errors = 0;
    while (this.running) {
      let full = false;
      try {
        full = (await this.deleteBatch()) === this.config.IDEMPOTENCY_KEY_CLEANUP_BATCH_SIZE;
        errors = 0;
      } catch (error) {
        // The database is down or overloaded: the keys stay a little longer, the next run finds them.
        errors++;
        if (errors === 1 || errors % 20 === 0)
          this.logger.error({ err: error, errors }, 'idempotency key clean-up failed');
      }
      if (this.running && !full) await this.wakeup.sleep(this.config.IDEMPOTENCY_KEY_CLEANUP_INTERVAL_MS);
    }
  }
}
