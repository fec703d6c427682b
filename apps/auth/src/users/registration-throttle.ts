import { APP_CONFIG, problem } from '@commerce/platform';
import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { AuthDatabase } from '../auth.database.ts';
import type { AuthConfig } from '../auth.config.ts';

/** 429: the client address has registered too often; the controller sends `retryAfterSeconds` as Retry-After. */
export class TooManyRegistrationsException extends HttpException {
  readonly retryAfterSeconds: number;

  constructor(seconds: number) {
    const retryAfterSeconds = Math.max(1, seconds);
    super(
      problem(429, `Too many registrations from this address. Try again in ${retryAfterSeconds} seconds.`),
      HttpStatus.TOO_MANY_REQUESTS,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Registrations counted per client address in a fixed window (REGISTER_MAX_PER_ADDRESS per
 * REGISTER_WINDOW_SECONDS), in the login throttle's table under `register:<address>`, so every
 * replica sees one count. Every attempt counts, taken or not: it is checked before anything costly.
 */
@Injectable()
export class RegistrationThrottle {
  constructor(
    private readonly db: AuthDatabase,
    @Inject(APP_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Counts a registration from `address`: 0 when it may go ahead, else the seconds until the window ends. */
  async admit(address: string): Promise<number> {
    const window = this.config.REGISTER_WINDOW_SECONDS;
    const [counted] = await this.db.$queryRaw<Array<{ attempts: number; seconds: number }>>`
      INSERT INTO login_throttle AS t (key, failures, window_started_at, blocked_until)
      VALUES (${`register:${address}`}, 1, now(), NULL)
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                        THEN 1 ELSE t.failures + 1 END,
        window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => ${window})
                                 THEN now() ELSE t.window_started_at END
      RETURNING failures AS attempts,
        ceil(extract(epoch FROM window_started_at + make_interval(secs => ${window}) - now()))::int AS seconds`;
    return counted!.attempts > this.config.REGISTER_MAX_PER_ADDRESS ? Math.max(1, counted!.seconds) : 0;
  }
}
