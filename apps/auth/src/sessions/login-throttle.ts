import { APP_CONFIG, problem } from '@commerce/platform';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';

/** Throttle keys of one login attempt: the email tried and the client's address. */
export function throttleKeys(email: string, address: string): { email: string; address: string } {
  return { email: `email:${email}`, address: `address:${address}` };
}

/** 429: the email or the client address is blocked; the controller sends `retryAfterSeconds` as Retry-After. */
export class TooManyLoginAttemptsException extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(seconds: number) {
    const retryAfterSeconds = Math.max(1, seconds);
    super(
      problem(429, `Too many failed logins. Try again in ${retryAfterSeconds} seconds.`),
      HttpStatus.TOO_MANY_REQUESTS,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Login attempts counted in Postgres per email and per client address, so every replica sees the
 * same counts. An attempt is counted BEFORE its password is checked: of many attempts made at once,
 * only as many as the limit allows are ever verified. A success takes its count back.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: AuthDatabase,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Counts an attempt on both keys. Returns 0 when it may go ahead, else the seconds until it may
   * (the key was blocked, or this attempt is past its limit and blocks it).
   */
  async admit(email: string, address: string): Promise<number> {
    const keys = throttleKeys(email, address);
    const window = this.config.LOGIN_FAILURE_WINDOW_SECONDS;
    const lockout = this.config.LOGIN_LOCKOUT_SECONDS;
    // One statement per key, under the row's lock: concurrent attempts get consecutive counts.
    const rows = await this.db.$queryRaw<Array<{ failures: number; max: number; seconds: number | null }>>`
      INSERT INTO login_throttle AS t (key, failures, window_started_at, blocked_until)
      SELECT k.key, 1, now(), NULL
      FROM (VALUES (${keys.email}), (${keys.address})) AS k(key)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                         AND (t.blocked_until IS NULL OR t.blocked_until <= now())
                        THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                                  AND (t.blocked_until IS NULL OR t.blocked_until <= now())
                                 THEN now() ELSE t.window_started_at END
      RETURNING failures,
        CASE WHEN key LIKE 'email:%' THEN ${this.config.LOGIN_MAX_FAILURES_PER_EMAIL}::int
             ELSE ${this.config.LOGIN_MAX_FAILURES_PER_ADDRESS}::int END AS max,
        ceil(extract(epoch FROM blocked_until - now()))::int AS seconds`;
    const blocked = Math.max(0, ...rows.map((r) => r.seconds ?? 0));
    if (blocked > 0) return blocked;
    const over = rows.filter((r) => r.failures > r.max);
    if (over.length === 0) return 0;
    // Past the limit: block the key(s) for the lockout, counted from now.
    await this.db.$executeRaw`
      UPDATE login_throttle SET blocked_until = now() + make_interval(secs => ${lockout})
      WHERE key IN (${keys.email}, ${keys.address})
        AND failures > CASE WHEN key LIKE 'email:%' THEN ${this.config.LOGIN_MAX_FAILURES_PER_EMAIL}::int
                            ELSE ${this.config.LOGIN_MAX_FAILURES_PER_ADDRESS}::int END
        AND (blocked_until IS NULL OR blocked_until <= now())`;
    return lockout;
  }

  /** A successful login: the email's count is cleared, and the address gets this attempt back. */
  async recordSuccess(email: string, address: string): Promise<void> {
    const keys = throttleKeys(email, address);
    await this.db.$executeRaw`DELETE FROM login_throttle WHERE key = ${keys.email}`;
    await this.db.$executeRaw`
      UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key = ${keys.address}`;
  }
}
