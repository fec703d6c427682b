import { APP_CONFIG, PeriodicBatch } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';
import { LoginThrottle } from './login-throttle.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';

/**
 * Keeps the tables that every login and registration add to from only growing: every
 * SESSION_RETENTION_INTERVAL_MS it deletes stale throttle rows and finished logins' refresh tokens,
 * a bounded batch per statement (short locks, no long transaction), again at once while a batch
 * comes back full. Replicas may run it together: a row deleted twice is deleted once. A
 * PeriodicBatch: a run never overlaps the previous one, and shutdown waits for the batch in flight.
 */
@Injectable()
export class SessionsRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionsRetention');
  private readonly batches: PeriodicBatch;

  constructor(
    private readonly db: AuthDatabase,
    private readonly throttle: LoginThrottle,
    private readonly refreshTokens: RefreshTokensRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {
    this.batches = new PeriodicBatch({
      batch: () => this.sweep(),
      intervalMs: config.SESSION_RETENTION_INTERVAL_MS,
      logger: this.logger,
      // The database is down or overloaded: the rows wait for the next run.
      failureMessage: 'session retention failed',
    });
  }

  onApplicationBootstrap(): void {
    this.batches.start();
  }

  // Before the platform closes the database (onApplicationShutdown).
  onModuleDestroy(): Promise<void> {
    return this.batches.stop();
  }

  /** One batch of each table; answers whether either came back full (more are waiting). */
  async sweep(): Promise<boolean> {
    const batch = this.config.SESSION_RETENTION_BATCH_SIZE;
    const throttleRows = await this.throttle.deleteStale(batch);
    const tokens = await this.refreshTokens.deleteFinished(this.db, this.config.REFRESH_TOKEN_RETENTION_DAYS, batch);
    if (throttleRows + tokens > 0) this.logger.debug({ throttleRows, tokens }, 'deleted stale session rows');
    return throttleRows === batch || tokens === batch;
  }
}
