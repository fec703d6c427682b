import { describe, expect, it } from 'vitest';
import { Metrics, ScrapeSample } from './metrics.ts';

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

describe('metrics turned off', () => {
  it('register nothing, the default metrics included, and take every update without recording it', async () => {
    const metrics = new Metrics(false);
    let collected = 0;
    const counter = metrics.counter({ name: 'things_total', help: 'Things.', labelNames: ['kind'] as const });
    const histogram = metrics.histogram({ name: 'thing_seconds', help: 'Time.', labelNames: ['kind'] as const });
    const gauge = metrics.gauge({ name: 'things', help: 'Things now.', collect: () => void collected++ });
    counter.inc({ kind: 'a' });
    counter.labels({ kind: 'a' }).inc(2);
    histogram.observe({ kind: 'a' }, 0.1);
    histogram.labels({ kind: 'a' }).observe(0.2);
    histogram.startTimer()();
    gauge.set(3);
    expect(metrics.registry.getMetricsAsArray()).toEqual([]);
    expect((await metrics.exposition()).trim()).toBe('');
    expect(collected).toBe(0);
  });

  it('are on unless told, with the default metrics', () => {
    const metrics = new Metrics();
    metrics.counter({ name: 'things_total', help: 'Things.' }).inc();
    const names = metrics.registry.getMetricsAsArray().map((metric) => metric.name);
    expect(names).toContain('things_total');
    expect(names).toContain('process_cpu_seconds_total');
  });
});
