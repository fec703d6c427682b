import { describe, expect, it } from 'vitest';
import { Wakeup } from './wakeup.ts';

describe('Wakeup', () => {
  it('ends a sleep when woken, long before its time', async () => {
    const wakeup = new Wakeup();
    const sleeping = wakeup.sleep(60_000).then(() => 'woken');
    wakeup.wake();
    expect(await sleeping).toBe('woken');
  });

  it('keeps a wake that came while nobody slept, for the next sleep only', async () => {
    const wakeup = new Wakeup();
    wakeup.wake();
    await wakeup.sleep(60_000);
    const second = await Promise.race([wakeup.sleep(20).then(() => 'slept'), Promise.resolve().then(() => 'pending')]);
    expect(second).toBe('pending');
  });

  it('wakes every sleeper at once', async () => {
    const wakeup = new Wakeup();
    const sleepers = [wakeup.sleep(60_000), wakeup.sleep(60_000)];
    wakeup.wake();
    await Promise.all(sleepers);
  });
});
