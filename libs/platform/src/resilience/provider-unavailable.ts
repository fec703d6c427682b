import {
  CircuitState,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  halfJitterGenerator,
  handleWhen,
  isBrokenCircuitError,
  TaskCancelledError,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';

/**
 * An outside provider (the card network, the SMTP server) could not be asked: unreachable, too
 * slow, or its circuit breaker is open. Nothing was decided, so the same call may be made again
 * later; a consumer waits for it without spending the event's attempts. A provider's answer (a
 * decline, a refused recipient) is not this: it is a result, or a failure that will not change.
 */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
  /** The provider was not called at all: its circuit breaker is open. */
  readonly circuitOpen: boolean;

  constructor(
    /** Which provider, e.g. `payment-gateway`, `smtp`. */
    readonly provider: string,
    message: string,
    options?: { cause?: unknown; circuitOpen?: boolean },
  ) {
    super(`${provider} unavailable: ${message}`, { cause: options?.cause });
    this.circuitOpen = options?.circuitOpen ?? false;
  }
}

// cockatiel 3's isTaskCancelledError() tests for the wrong marker (a bulkhead's): the class is reliable.
function isTimeout(error: unknown): boolean {
  return error instanceof TaskCancelledError;
}

export interface ProviderBreakerOptions {
  /** Which provider the breaker guards, as its errors will name it. */
  provider: string;
  /** Failures in a row that open the breaker. */
  failuresToOpen: number;
  /** How long the breaker stays open before one call may try again: doubling up to maxMs. */
  halfOpenAfter: { initialMs: number; maxMs: number };
  /** Longest one call may take before it counts as the provider not answering. */
  callTimeoutMs: number;
  /** Which of the provider's errors mean it could not be asked (the others are answers, passed on). */
  isUnavailable(error: unknown): boolean;
  /** Told when the breaker opens and closes. */
  onStateChange?(open: boolean, reason?: unknown): void;
}

/**
 * Guards the calls to one provider: each gets `callTimeoutMs`; after `failuresToOpen` failures in
 * a row that mean "could not be asked" the breaker opens, and calls fail at once, as
 * ProviderUnavailableError, until it lets one through to test the provider again. A failure that
 * is the provider's answer passes through unchanged and does not count.
 */
export class ProviderBreaker {
  private readonly breaker;
  private readonly policy;
  constructor(private readonly options: ProviderBreakerOptions) {
    const unavailable = (error: unknown) => isTimeout(error) || options.isUnavailable(error);
    this.breaker = circuitBreaker(handleWhen(unavailable), {
      breaker: new ConsecutiveBreaker(options.failuresToOpen),
      halfOpenAfter: new ExponentialBackoff({
        initialDelay: options.halfOpenAfter.initialMs,
        maxDelay: options.halfOpenAfter.maxMs,
        // Replicas whose breakers opened together do not all try the provider at the same instant.
        generator: halfJitterGenerator,
      }),
    });
    // Aggressive: a call that hangs is given up on at the deadline, whether or not it listens to the signal.
    this.policy = wrap(this.breaker, timeout(options.callTimeoutMs, TimeoutStrategy.Aggressive));
    this.breaker.onBreak((reason) => {
      options.onStateChange?.(true, 'error' in reason ? reason.error : undefined);
    });
    this.breaker.onReset(() => {
      options.onStateChange?.(false);
    });
  }

  /** True while calls fail at once: the provider failed `failuresToOpen` times in a row and has not answered since. */
  get isOpen(): boolean {
    return this.breaker.state === CircuitState.Open;
  }

  /** Runs `call` under the breaker and its timeout; "could not ask" becomes ProviderUnavailableError. */
  async execute<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.policy.execute(({ signal }) => call(signal));
    } catch (error) {
      if (error instanceof ProviderUnavailableError) throw error;
      if (isBrokenCircuitError(error))
        throw new ProviderUnavailableError(this.options.provider, 'circuit open after repeated failures', {
          cause:
            this.breaker.lastFailure && 'error' in this.breaker.lastFailure ? this.breaker.lastFailure.error : error,
          circuitOpen: true,
        });
      if (isTimeout(error))
        throw new ProviderUnavailableError(this.options.provider, `no answer within ${this.options.callTimeoutMs} ms`, {
          cause: error,
        });
      if (this.options.isUnavailable(error))
        throw new ProviderUnavailableError(this.options.provider, (error as Error)?.message ?? String(error), {
          cause: error,
        });
      throw error;
    }
  }
}

// Node's and undici's codes for a connection that could not be made or was lost.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Whether an error a provider's client raised (or one it wraps) is a network failure. Only for
 * errors known to come from that client: the same codes from the database mean something else.
 */
export function isNetworkFailure(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === 'object' && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
