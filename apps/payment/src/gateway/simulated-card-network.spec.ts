import { describe, expect, it } from 'vitest';
import { SIMULATED_LIMIT_CENTS, simulatedDecision } from './simulated-card-network.ts';

describe('the simulated card network', () => {
  it.each([
    ['tok_ok', 'APPROVED'],
    ['tok_decline', 'DECLINED'],
    ['tok_insufficient', 'INSUFFICIENT_FUNDS'],
    ['tok_unknown', 'DECLINED'],
    ['', 'DECLINED'],
    ['TOK_OK', 'DECLINED'],
    // Names of Object.prototype are not tokens it knows.
    ['constructor', 'DECLINED'],
    ['__proto__', 'DECLINED'],
  ])('answers %j under the limit with %s', (token, expected) => {
    expect(simulatedDecision(token, 1_000)).toBe(expected);
  });

  it.each(['tok_ok', 'tok_decline', 'tok_insufficient', 'tok_unknown'])(
    'refuses any amount over 1,000,000 cents as LIMIT_EXCEEDED, whatever the token (%s)',
    (token) => {
      expect(simulatedDecision(token, SIMULATED_LIMIT_CENTS + 1)).toBe('LIMIT_EXCEEDED');
      expect(simulatedDecision(token, Number.MAX_SAFE_INTEGER)).toBe('LIMIT_EXCEEDED');
    },
  );

  it('authorizes exactly 1,000,000 cents, and nothing, with tok_ok', () => {
    expect(simulatedDecision('tok_ok', SIMULATED_LIMIT_CENTS)).toBe('APPROVED');
    expect(simulatedDecision('tok_ok', 0)).toBe('APPROVED');
  });

  it('lets the token decide at exactly the limit', () => {
    expect(simulatedDecision('tok_decline', SIMULATED_LIMIT_CENTS)).toBe('DECLINED');
    expect(simulatedDecision('tok_insufficient', SIMULATED_LIMIT_CENTS)).toBe('INSUFFICIENT_FUNDS');
  });
});
