import type { DeclineReason } from './payment-gateway.ts';

/** The largest amount the simulated network authorizes (docs/contract.md: over 1,000,000 cents is LIMIT_EXCEEDED). */
export const SIMULATED_LIMIT_CENTS = 1_000_000;

/** Tokens the simulated network knows, and what each answers. */
export const SIMULATED_TOKENS = {
  tok_ok: 'APPROVED',
  tok_decline: 'DECLINED',
  tok_insufficient: 'INSUFFICIENT_FUNDS',
} as const satisfies Record<string, 'APPROVED' | DeclineReason>;

/**
 * The simulated network's answer to an authorization (docs/contract.md, payment): the limit comes first,
 * whatever the token; then the token decides, and a token it does not know is declined.
 */
export function simulatedDecision(token: string, amountCents: number): 'APPROVED' | DeclineReason {
  if (amountCents > SIMULATED_LIMIT_CENTS) return 'LIMIT_EXCEEDED';
  return Object.hasOwn(SIMULATED_TOKENS, token) ? SIMULATED_TOKENS[token as keyof typeof SIMULATED_TOKENS] : 'DECLINED';
}
