import { APP_CONFIG, problem } from '@commerce/platform';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';

/**
 * Throttle keys of one login attempt: the email from this address (the lockout), the address across
 * emails, the email across addresses (the ceiling), and the mark of an address the email logged in from.
 */
export function throttleKeys(
  email: string,
  address: string,
): { emailFromAddress: string; address: string; email: string; knownAddress: string } {
  return {
    emailFromAddress: `email:${email}|address:${address}`,
    address: `address:${address}`,
    email: `email:${email}`,
    knownAddress: `known:${email}|address:${address}`,
  };
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
 * Login attempts counted in Postgres, so every replica sees the same counts: per email from one
 * client address (its lockout blocks that address only, so nobody can lock an owner out from
 * elsewhere), per address across emails, and per email across addresses (a ceiling against a
 * spread-out guesser, which spares the addresses the email has logged in from). An attempt is
 * counted BEFORE its password is checked: of many attempts made at once, only as many as the limit
 * allows are ever verified. A success takes its count back.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly db: AuthDatabase,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /**
   * Counts an attempt on each key. Returns 0 when it may go ahead, else the seconds until it may
   * (a key was blocked, or this attempt is past its limit and blocks it).
   */
  async admit(email: string, address: string): Promise<number> {
    const keys = throttleKeys(email, address);
    const limits = new Map([
      [keys.emailFromAddress, this.config.LOGIN_MAX_FAILURES_PER_EMAIL],
      [keys.address, this.config.LOGIN_MAX_FAILURES_PER_ADDRESS],
      [keys.email, this.config.LOGIN_MAX_FAILURES_PER_EMAIL_GLOBAL],
    ]);
    const window = this.config.LOGIN_FAILURE_WINDOW_SECONDS;
    const lockout = this.config.LOGIN_LOCKOUT_SECONDS;
    // One statement, rows in the same order every time, each under its row's lock: concurrent
    // attempts get consecutive counts and never wait on each other in a cycle.
    const counted = await this.db.$queryRaw<Array<{ key: string; failures: number; seconds: number | null }>>`
      INSERT INTO login_throttle AS t (key, failures, window_started_at, blocked_until)
      SELECT k.key, 1, now(), NULL FROM unnest(${[...limits.keys()]}::text[]) WITH ORDINALITY AS k(key, n)
      ORDER BY k.n
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                         AND (t.blocked_until IS NULL OR t.blocked_until <= now())
                        THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                                  AND (t.blocked_until IS NULL OR t.blocked_until <= now())
                                 THEN now() ELSE t.window_started_at END
      RETURNING key, failures, ceil(extract(epoch FROM blocked_until - now()))::int AS seconds`;
    // The ceiling does not apply where the email has logged in: its owner is not locked out at home.
    const ceiling = counted.find((r) => r.key === keys.email);
    const ceilingReached = !!ceiling && ((ceiling.seconds ?? 0) > 0 || ceiling.failures > limits.get(keys.email)!);
    const rows =
      ceilingReached && (await this.isKnownAddress(keys.knownAddress)) ? counted.filter((r) => r !== ceiling) : counted;
    const blocked = Math.max(0, ...rows.map((r) => r.seconds ?? 0));
    if (blocked > 0) return blocked;
    const over = rows.filter((r) => r.failures > limits.get(r.key)!).map((r) => r.key);
    if (over.length === 0) return 0;
    // Past a limit: block the key(s) for the lockout, counted from now.
    await this.db.$executeRaw`
      UPDATE login_throttle SET blocked_until = now() + make_interval(secs => ${lockout})
      WHERE key = ANY(${over}::text[]) AND (blocked_until IS NULL OR blocked_until <= now())`;
    return lockout;
  }

  /**
   * A successful login: the email's count from this address is cleared, the address and the
   * email's count across addresses get this attempt back (so they count failures), and the address
   * is marked as one the email logs in from. The count across addresses is not cleared: a guesser
   * elsewhere gets no fresh budget from the owner's success.
   */
  async recordSuccess(email: string, address: string): Promise<void> {
    const keys = throttleKeys(email, address);
    await this.db.$executeRaw`DELETE FROM login_throttle WHERE key = ${keys.emailFromAddress}`;
    await this.db.$executeRaw`
      UPDATE login_throttle SET failures = greatest(failures - 1, 0) WHERE key IN (${keys.address}, ${keys.email})`;
    await this.db.$executeRaw`
      INSERT INTO login_throttle (key, failures, window_started_at, blocked_until)
      VALUES (${keys.knownAddress}, 0, now(), NULL)
      ON CONFLICT (key) DO UPDATE SET window_started_at = now()`;
  }

  /**
   * Deletes up to `batch` rows that no longer say anything: counts whose window has passed and
   * which block nothing (the next attempt would start them again from 1), and marks of known
   * addresses older than LOGIN_KNOWN_ADDRESS_DAYS. Registration counts share the table. Answers how many.
   */
  deleteStale(batch: number): Promise<number> {
    const window = Math.max(this.config.LOGIN_FAILURE_WINDOW_SECONDS, this.config.REGISTER_WINDOW_SECONDS);
    return this.db.$executeRaw`
      DELETE FROM login_throttle WHERE key IN (
        SELECT key FROM login_throttle
        WHERE (blocked_until IS NULL OR blocked_until <= now())
          AND window_started_at < now() - CASE WHEN key LIKE 'known:%'
                                               THEN make_interval(days => ${this.config.LOGIN_KNOWN_ADDRESS_DAYS})
                                               ELSE make_interval(secs => ${window}) END
        LIMIT ${batch})`;
  }

  private async isKnownAddress(key: string): Promise<boolean> {
    const rows = await this.db.$queryRaw<unknown[]>`
      SELECT 1 FROM login_throttle
      WHERE key = ${key} AND window_started_at > now() - make_interval(days => ${this.config.LOGIN_KNOWN_ADDRESS_DAYS})`;
    return rows.length > 0;
  }
}
