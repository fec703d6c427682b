/** Why a card network refused an authorization (the `reason` of payment.failed). */
export type DeclineReason = 'DECLINED' | 'INSUFFICIENT_FUNDS' | 'LIMIT_EXCEEDED';

export interface AuthorizeRequest {
  /**
   * The order id: the provider's idempotency key. Asking again with it answers the same
   * authorization (held, captured or voided by then), never a second hold.
   */
  reference: string;
  amountCents: number;
  currency: string;
  /** The customer's payment token (from order.placed). */
  token: string;
}

export type Authorization = { approved: true; authorizationId: string } | { approved: false; reason: DeclineReason };

export interface CaptureRequest {
  authorizationId: string;
  amountCents: number;
}

export interface VoidRequest {
  /** The order id the authorization was asked under: what the provider holds for it is released. */
  reference: string;
}

/**
 * The port to a card network. An abstract class so it is also the Nest injection token: the module
 * binds an adapter to it (the simulated one here), and a real provider's adapter can replace it.
 * A refusal is an answer (`approved: false`); a throw means the network could not be asked, or its
 * answer was lost, and the event is retried with the same reference, which the provider must treat as
 * the same request. Payment asks first and records after, so a hold can exist that no committed row
 * knows of: voiding by reference is what releases it.
 */
export abstract class PaymentGateway {
  /** Holds `amountCents` on the customer's card; the same `reference` twice is one authorization. */
  abstract authorize(request: AuthorizeRequest): Promise<Authorization>;

  /** Takes the held money; capturing an already captured authorization again is a no-op. */
  abstract capture(request: CaptureRequest): Promise<void>;

  /**
   * Releases whatever the provider holds for the reference, whether or not payment recorded it;
   * nothing held (never asked, declined, already voided) is a no-op. A captured one is refused.
   */
  abstract void(request: VoidRequest): Promise<void>;
}
