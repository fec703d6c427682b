import { describe, expect, it } from 'vitest';
import { ScrapeSample } from './metrics.ts';

describe('a scrape sample', () => {
  it('reads once for scrapes at the same time, and again only after its maximum age', async () => {
    let now = 0;
    let reads = 0;
    const sample = new ScrapeSample(
      async () => ++reads,
      1_000,
      () => now,
    );
    expect(await Promise.all([sample.get(), sample.get(), sample.get()])).toEqual([1, 1, 1]);
    now = 999;
    expect(await sample.get()).toBe(1);
    now = 1_000;
    expect(await sample.get()).toBe(2);
    expect(reads).toBe(2);
  });

  it('reads again after a failed read', async () => {
    let fail = true;
    const sample = new ScrapeSample(async () => {
      if (fail) throw new Error('away');
      return 'back';
    }, 1_000);
    await expect(sample.get()).rejects.toThrow('away');
    fail = false;
    expect(await sample.get()).toBe('back');
  });
});
