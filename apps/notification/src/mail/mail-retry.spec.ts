import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './mail-retry.ts';

describe('mail retry', () => {
  const retry = { initialMs: 1000, maxMs: 60_000 };

  it('doubles the wait with each failed attempt', () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(attempts, retry))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the maximum, however many attempts failed', () => {
    expect(retryDelayMs(7, retry)).toBe(60_000);
    expect(retryDelayMs(10_000, retry)).toBe(60_000);
  });
});
