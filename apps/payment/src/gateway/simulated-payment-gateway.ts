import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  type Authorization,
  type AuthorizeRequest,
  type CaptureRequest,
  PaymentGateway,
  type VoidRequest,
} from './payment-gateway.ts';
import { simulatedDecision } from './simulated-card-network.ts';

const PREFIX = 'sim_auth_';

/** The one authorization the simulated network ever issues for a reference. */
const authorizationIdOf = (reference: string): string =>
  PREFIX + createHash('sha256').update(reference).digest('hex').slice(0, 32);

/**
 * The simulated card network (docs/contract.md: its tokens and limit). It keeps no state: the authorization
 * id is derived from the reference, so a retried authorization (same order) is the same
 * authorization — what a real provider's idempotency key gives — even across restarts and replicas.
 */
@Injectable()
export class SimulatedPaymentGateway extends PaymentGateway {
  async authorize({ reference, amountCents, token }: AuthorizeRequest): Promise<Authorization> {
    const decision = simulatedDecision(token, amountCents);
    if (decision !== 'APPROVED') return { approved: false, reason: decision };
    return { approved: true, authorizationId: authorizationIdOf(reference) };
  }

  async capture({ authorizationId }: CaptureRequest): Promise<void> {
    this.known(authorizationId);
  }

  /** Holds nothing to release (no money moves here), so voiding any reference succeeds, once or again. */
  async void({ reference }: VoidRequest): Promise<void> {
    if (!reference) throw new Error('a void names the reference its authorization was asked under');
  }

  private known(authorizationId: string): void {
    if (!authorizationId.startsWith(PREFIX))
      throw new Error(`the simulated network issued no authorization ${authorizationId}`);
  }
}
