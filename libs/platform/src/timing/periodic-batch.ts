import type { Logger } from '@nestjs/common';
import { Wakeup } from './wakeup.ts';

/** What a PeriodicBatch runs, how often, and what it logs when a batch fails. */
export interface PeriodicBatchOptions {
  /** Runs one batch; answers whether it came back full, i.e. more are waiting now. */
  batch: () => Promise<boolean>;
  /** The sleep after a batch that came back short or failed. */
  intervalMs: number;
  logger: Pick<Logger, 'error'>;
  /** Logged with the error and the count of consecutive failures. */
  failureMessage: string;
}

/**
 * Runs a batch job in a loop: again at once while batches come back full, else after intervalMs.
 * A loop rather than a timer: runs never overlap, a backlog drains without waiting for the next
 * tick, and stop() waits for the batch in flight (so shutdown can stop it before the database closes).
 */
export class PeriodicBatch {
  private readonly wakeup = new Wakeup();
  private running = false;
  private loop?: Promise<void>;

  constructor(private readonly options: PeriodicBatchOptions) {}

  /** Starts the loop, its first batch after `delayMs` (at once by default); while it runs, does nothing. */
  start(delayMs = 0): void {
    // An app and its connected microservice share one container: the bootstrap hook may come twice.
    if (this.running) return;
    this.running = true;
    this.loop = this.run(delayMs);
  }

  /** Ends the loop: cuts its sleep short and resolves once the batch in flight, if any, is done. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
  }

  private async run(delayMs: number): Promise<void> {
    // Ended early only by stop().
    if (delayMs > 0) await this.wakeup.sleep(delayMs);
    let errors = 0;
    while (this.running) {
      let full = false;
      try {
        full = await this.options.batch();
        errors = 0;
      } catch (error) {
        // The next run tries again; through a long outage, every 20th failure is logged, not each one.
        errors++;
        if (errors === 1 || errors % 20 === 0)
          this.options.logger.error({ err: error, errors }, this.options.failureMessage);
      }
      if (this.running && !full) await this.wakeup.sleep(this.options.intervalMs);
    }
  }
}
