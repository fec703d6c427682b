import { describe, expect, it } from 'vitest';
import { backoff } from './backoff.ts';

describe('backoff', () => {
  const policy = { initialMs: 100, maxMs: 1_000 };

  it('starts at the initial delay and doubles per attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => backoff(attempt, policy))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the cap, however many attempts', () => {
    expect(backoff(5, policy)).toBe(1_000);
    expect(backoff(10_000, policy)).toBe(1_000);
  });

  it('treats attempt 0 or less as the first', () => {
    expect(backoff(0, policy)).toBe(100);
    expect(backoff(-3, policy)).toBe(100);
  });
});
