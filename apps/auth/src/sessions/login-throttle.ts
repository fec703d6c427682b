import { APP_CONFIG } from '@commerce/platform';
import { Inject, Injectable } from '@nestjs/common';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../app.ts';

/** Throttle keys of one login attempt: the email tried and the client's address. */
export function throttleKeys(email: string, address: string): { email: string; address: string } {
  return { email: `email:${email}`, address: `address:${address}` };
}

/**
 * Failed logins counted in Postgres per email and per client address, so every replica sees the
 * same counts. Past the limit within the window, the key is blocked for the lockout period.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: AuthDatabase,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Seconds until the attempt may be made, or 0 when neither key is blocked. */
  async retryAfterSeconds(email: string, address: string): Promise<number> {
    const keys = throttleKeys(email, address);
    const [row] = await this.db.$queryRaw<Array<{ seconds: number | null }>>`
      SELECT ceil(extract(epoch FROM max(blocked_until) - now()))::int AS seconds
      FROM login_throttle
      WHERE key IN (${keys.email}, ${keys.address}) AND blocked_until > now()`;
    return row?.seconds ?? 0;
  }

  /** Counts a failure on both keys; blocks a key that reaches its limit. Returns the block, if any. */
  async recordFailure(email: string, address: string): Promise<number> {
    const keys = throttleKeys(email, address);
    const window = this.config.LOGIN_FAILURE_WINDOW_SECONDS;
    const lockout = this.config.LOGIN_LOCKOUT_SECONDS;
    // One statement per key: the count moves in the database, never read-modify-write here.
    const rows = await this.db.$queryRaw<Array<{ seconds: number | null }>>`
      INSERT INTO login_throttle AS t (key, failures, window_started_at, blocked_until)
      SELECT k.key, 1, now(), CASE WHEN k.max <= 1 THEN now() + make_interval(secs => ${lockout}) END
      FROM (VALUES (${keys.email}, ${this.config.LOGIN_MAX_FAILURES_PER_EMAIL}::int),
                   (${keys.address}, ${this.config.LOGIN_MAX_FAILURES_PER_ADDRESS}::int)) AS k(key, max)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window}) THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                                 THEN now() ELSE t.window_started_at END,
        blocked_until = CASE
          WHEN t.window_started_at >= now() - make_interval(secs => ${window})
           AND t.failures + 1 >= (CASE WHEN t.key LIKE 'email:%' THEN ${this.config.LOGIN_MAX_FAILURES_PER_EMAIL}::int
                                       ELSE ${this.config.LOGIN_MAX_FAILURES_PER_ADDRESS}::int END)
          THEN now() + make_interval(secs => ${lockout})
          ELSE t.blocked_until END
      RETURNING ceil(extract(epoch FROM blocked_until - now()))::int AS seconds`;
    return Math.max(0, ...rows.map((r) => r.seconds ?? 0));
  }

  /** A successful login clears the email's count (the address keeps its own). */
  async recordSuccess(email: string, address: string): Promise<void> {
    await this.db.loginThrottle.deleteMany({ where: { key: throttleKeys(email, address).email } });
  }
}
