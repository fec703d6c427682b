import { APP_CONFIG, Wakeup } from '@commerce/platform';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';
import { LoginThrottle } from './login-throttle.ts';
import { RefreshTokensRepository } from './refresh-tokens.repository.ts';

/**
 * Keeps the tables that every login and registration add to from only growing: every
 * SESSION_RETENTION_INTERVAL_MS it deletes stale throttle rows and finished logins' refresh tokens,
 * a bounded batch per statement (short locks, no long transaction), again at once while a batch
 * comes back full. Replicas may run it together: a row deleted twice is deleted once. A loop, as
 * order's sweeper: a run never overlaps the previous one, and shutdown waits for the batch in flight.
 */
@Injectable()
export class SessionsRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SessionsRetention');
  private readonly wakeup = new Wakeup();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly db: AuthDatabase,
    private readonly throttle: LoginThrottle,
    private readonly refreshTokens: RefreshTokensRepository,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  onApplicationBootstrap(): void {
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

  /** One batch of each table; answers whether either came back full (more are waiting). */
  async sweep(): Promise<boolean> {
    const batch = this.config.SESSION_RETENTION_BATCH_SIZE;
    const throttleRows = await this.throttle.deleteStale(batch);
    const tokens = await this.refreshTokens.deleteFinished(this.db, this.config.REFRESH_TOKEN_RETENTION_DAYS, batch);
    if (throttleRows + tokens > 0) this.logger.debug({ throttleRows, tokens }, 'deleted stale session rows');
    return throttleRows === batch || tokens === batch;
  }

  private async run(): Promise<void> {
    let errors = 0;
    while (this.running) {
      let full = false;
      try {
        full = await this.sweep();
        errors = 0;
      } catch (error) {
        // The database is down or overloaded: the rows wait for the next run.
        errors++;
        if (errors === 1 || errors % 20 === 0) this.logger.error({ err: error, errors }, 'session retention failed');
      }
      if (this.running && !full) await this.wakeup.sleep(this.config.SESSION_RETENTION_INTERVAL_MS);
    }
  }
}
