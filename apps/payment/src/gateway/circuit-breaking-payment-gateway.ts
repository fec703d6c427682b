import {
  isNetworkFailure,
  ProviderBreaker,
  type ProviderBreakerOptions,
  ProviderUnavailableError,
} from '@commerce/platform';
import { Logger } from '@nestjs/common';
import {
  type Authorization,
  type AuthorizeRequest,
  type CaptureRequest,
  PaymentGateway,
  type VoidRequest,
} from './payment-gateway.ts';

export const PAYMENT_PROVIDER = 'payment-gateway';

/** How the card network is guarded unless told otherwise. */
export const PAYMENT_BREAKER: Omit<ProviderBreakerOptions, 'provider' | 'isUnavailable'> = {
  failuresToOpen: 5,
  // At most this long after the network is back before a call finds out.
  halfOpenAfter: { initialMs: 1_000, maxMs: 10_000 },
  callTimeoutMs: 10_000,
};

/**
 * The card network behind a circuit breaker. A call the network could not answer (its adapter's
 * ProviderUnavailableError, a socket error of its own, no answer within the timeout) becomes
 * ProviderUnavailableError, which the consumer waits out without spending the event's attempts;
 * after several in a row the breaker opens and calls fail at once, sparing a network that is down,
 * until one call is let through to try it again. A decline is an answer and passes as it is, and
 * so does any other error (a refusal, a bug): those are permanent.
 */
export class CircuitBreakingPaymentGateway extends PaymentGateway {
  private readonly logger = new Logger('PaymentGateway');
  private readonly breaker: ProviderBreaker;

  constructor(
    private readonly network: PaymentGateway,
    options: Omit<ProviderBreakerOptions, 'provider' | 'isUnavailable'> = PAYMENT_BREAKER,
  ) {
    super();
    this.breaker = new ProviderBreaker({
      ...options,
      provider: PAYMENT_PROVIDER,
      // Only errors out of the network's own adapter reach here: a socket code is the network's.
      isUnavailable: (error) => error instanceof ProviderUnavailableError || isNetworkFailure(error),
      onStateChange: (open, reason) =>
        open
          ? this.logger.error({ err: reason }, 'card network unavailable; circuit open')
          : this.logger.log('card network answers again; circuit closed'),
    });
  }

  /** True while calls to the network fail at once. */
  get isOpen(): boolean {
    return this.breaker.isOpen;
  }

  authorize(request: AuthorizeRequest): Promise<Authorization> {
    return this.breaker.execute(() => this.network.authorize(request));
  }

  capture(request: CaptureRequest): Promise<void> {
    return this.breaker.execute(() => this.network.capture(request));
  }

  void(request: VoidRequest): Promise<void> {
    return this.breaker.execute(() => this.network.void(request));
  }
}
