import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Wakeup } from './wakeup.ts';

// With fake timers no sleep can end by its timer unless the test advances the clock: a sleep that
// settles is one that wake() ended.
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
};

describe('Wakeup', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a sleep when woken, long before its time', async () => {
    const wakeup = new Wakeup();
    const sleeping = wakeup.sleep(60_000);
    expect(await settled(sleeping)).toBe(false);
    wakeup.wake();
    expect(await settled(sleeping)).toBe(true);
  });

  it('ends a sleep at its time when nobody wakes it', async () => {
    const sleeping = new Wakeup().sleep(1_000);
    vi.advanceTimersByTime(999);
    expect(await settled(sleeping)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settled(sleeping)).toBe(true);
  });

  it('keeps a wake that came while nobody slept, for the next sleep only', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    expect(await settled(wakeup.sleep(60_000))).toBe(true);
    expect(await settled(wakeup.sleep(60_000))).toBe(false);
  });

  it('wakes every sleeper at once', async () => {
    const wakeup = new Wakeup();
    const sleepers = [wakeup.sleep(60_000), wakeup.sleep(60_000)];
    wakeup.wake();
    expect(await Promise.all(sleepers.map(settled))).toEqual([true, true]);
  });

  it('wakes one sleeper with wakeOne, the one asleep longest, and the next with the next wakeOne', async () => {
    const wakeup = new Wakeup();
    const sleepers = [wakeup.sleep(60_000), wakeup.sleep(60_000)];
    wakeup.wakeOne();
    expect(await Promise.all(sleepers.map(settled))).toEqual([true, false]);
    wakeup.wakeOne();
    expect(await settled(sleepers[1])).toBe(true);
  });

  it('keeps a wakeOne that came while nobody slept, for the next sleep only', async () => {
    const wakeup = new Wakeup();
    wakeup.wakeOne();
    expect(await settled(wakeup.sleep(60_000))).toBe(true);
    expect(await settled(wakeup.sleep(60_000))).toBe(false);
  });
});
