import {
  type Authorization,
  type AuthorizeRequest,
  type CaptureRequest,
  PaymentGateway,
  type VoidRequest,
} from '../src/gateway/payment-gateway.ts';
import { simulatedDecision } from '../src/gateway/simulated-card-network.ts';

/** Money the provider holds for a reference, and where it ended. */
export interface Hold {
  reference: string;
  authorizationId: string;
  amountCents: number;
  state: 'HELD' | 'CAPTURED' | 'VOIDED';
}

/** Runs after the provider said yes and before payment hears it; a throw loses the answer. */
export type Interruption = (hold: Hold) => Promise<void>;

/**
 * A card network that records every hold it issues and what became of it, so a test can show that
 * each ends captured or voided. It answers like the simulated network (same tokens, same limit) and
 * keeps a real provider's promises: one hold per reference however often it is asked, void by
 * reference, a voided hold cannot be captured nor a captured one voided.
 */
export class RecordingPaymentGateway extends PaymentGateway {
  private readonly holds = new Map<string, Hold>();
  private readonly interruptions = new Map<string, Interruption>();
  /** The reference of every authorization asked for, in order, repeats included. */
  readonly asked: string[] = [];

  /** Runs `interruption` on each later approved authorization of `reference` (none: stop). */
  interrupt(reference: string, interruption?: Interruption): void {
    if (interruption) this.interruptions.set(reference, interruption);
    else this.interruptions.delete(reference);
  }

  /** The hold issued for `reference`, if any. */
  holdFor(reference: string): Hold | undefined {
    const hold = this.holds.get(reference);
    return hold && { ...hold };
  }

  /** The holds of these references still neither captured nor voided. */
  unsettled(references: string[]): Hold[] {
    return references.flatMap((r) => this.holds.get(r) ?? []).filter((h) => h.state === 'HELD');
  }

  async authorize({ reference, amountCents, token }: AuthorizeRequest): Promise<Authorization> {
    this.asked.push(reference);
    const decision = simulatedDecision(token, amountCents);
    if (decision !== 'APPROVED') return { approved: false, reason: decision };
    let hold = this.holds.get(reference);
    if (!hold) {
      hold = { reference, authorizationId: `rec_auth_${this.holds.size + 1}`, amountCents, state: 'HELD' };
      this.holds.set(reference, hold);
    }
    await this.interruptions.get(reference)?.({ ...hold });
    return { approved: true, authorizationId: hold.authorizationId };
  }

  async capture({ authorizationId }: CaptureRequest): Promise<void> {
    const hold = [...this.holds.values()].find((h) => h.authorizationId === authorizationId);
    if (!hold) throw new Error(`no hold ${authorizationId}`);
    if (hold.state === 'VOIDED') throw new Error(`hold ${authorizationId} was voided: nothing to capture`);
    hold.state = 'CAPTURED';
  }

  async void({ reference }: VoidRequest): Promise<void> {
    const hold = this.holds.get(reference);
    if (hold?.state === 'CAPTURED') throw new Error(`hold ${hold.authorizationId} was captured: a refund, not a void`);
    if (hold) hold.state = 'VOIDED';
  }
}
