import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from 'vitest';
import { PeriodicBatch } from './periodic-batch.ts';

const INTERVAL_MS = 1_000;

// With fake timers the loop's sleep ends only when the test advances the clock or stop() wakes it.
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
};

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('PeriodicBatch', () => {
  let logger: { error: Mock<(fields: { err: unknown; errors: number }, message: string) => void> };
  let loop: PeriodicBatch | undefined;

  const periodic = (batch: () => Promise<boolean>) => {
    loop = new PeriodicBatch({ batch, intervalMs: INTERVAL_MS, logger, failureMessage: 'batch failed' });
    return loop;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    logger = { error: vi.fn() };
  });
  afterEach(async () => {
    await loop?.stop();
    loop = undefined;
    vi.useRealTimers();
  });

  it('runs a batch as soon as it starts', async () => {
    const batch = vi.fn(async () => false);
    periodic(batch).start();
    await flush();
    expect(batch).toHaveBeenCalledTimes(1);
  });

  it('runs again at once while batches come back full', async () => {
    const batch = vi.fn(async () => batch.mock.calls.length < 3);
    periodic(batch).start();
    await flush();
    expect(batch).toHaveBeenCalledTimes(3);
  });

  it('sleeps the interval after a batch that is not full', async () => {
    const batch = vi.fn(async () => false);
    periodic(batch).start();
    await vi.advanceTimersByTimeAsync(INTERVAL_MS - 1);
    expect(batch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batch).toHaveBeenCalledTimes(2);
  });

  it('waits the delay given to start() before the first batch', async () => {
    const batch = vi.fn(async () => false);
    periodic(batch).start(5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(batch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(batch).toHaveBeenCalledTimes(1);
  });

  it('keeps going after failures, logging the first and every 20th in a row', async () => {
    const batch = vi.fn(async (): Promise<boolean> => {
      throw new Error('database down');
    });
    periodic(batch).start();
    await flush();
    await vi.advanceTimersByTimeAsync(39 * INTERVAL_MS);
    expect(batch).toHaveBeenCalledTimes(40);
    expect(logger.error.mock.calls.map(([fields]) => fields.errors)).toEqual([1, 20, 40]);
    expect(logger.error).toHaveBeenCalledWith({ err: expect.any(Error), errors: 1 }, 'batch failed');
  });

  it('counts failures anew after a batch succeeds', async () => {
    const batch = vi.fn(async (): Promise<boolean> => {
      if (batch.mock.calls.length === 2) return false;
      throw new Error('database down');
    });
    periodic(batch).start();
    await flush();
    await vi.advanceTimersByTimeAsync(2 * INTERVAL_MS);
    expect(batch).toHaveBeenCalledTimes(3);
    expect(logger.error.mock.calls.map(([fields]) => fields.errors)).toEqual([1, 1]);
  });

  it('stop() waits for the batch in flight, then the loop ends', async () => {
    let finish!: (full: boolean) => void;
    const batch = vi.fn(() => new Promise<boolean>((resolve) => (finish = resolve)));
    const periodicBatch = periodic(batch);
    periodicBatch.start();
    await flush();
    const stopping = periodicBatch.stop();
    expect(await settled(stopping)).toBe(false);
    finish(true);
    expect(await settled(stopping)).toBe(true);
    await vi.advanceTimersByTimeAsync(10 * INTERVAL_MS);
    expect(batch).toHaveBeenCalledTimes(1);
  });

  it('stop() cuts the sleep short', async () => {
    const batch = vi.fn(async () => false);
    const periodicBatch = periodic(batch);
    periodicBatch.start();
    await flush();
    expect(await settled(periodicBatch.stop())).toBe(true);
    expect(batch).toHaveBeenCalledTimes(1);
  });

  it('starts one loop when start() is called twice', async () => {
    const batch = vi.fn(async () => false);
    const periodicBatch = periodic(batch);
    periodicBatch.start();
    periodicBatch.start();
    await flush();
    expect(batch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(INTERVAL_MS);
    expect(batch).toHaveBeenCalledTimes(2);
  });
});
