import { describe, expect, it } from 'vitest';
import { SendSlots } from './send-slots.ts';

/** A task that runs until the test finishes it. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { done, finish };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('SendSlots', () => {
  it('runs at most `size` tasks at once, the others in the order they came', async () => {
    const slots = new SendSlots(2);
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const all = Promise.all(
      gates.map((g, i) =>
        slots.run(async () => {
          started.push(i);
          most = Math.max(most, ++running);
          await g.done;
          running--;
          return i;
        }),
      ),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    gates[1].finish();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.finish();
    expect(await all).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('frees the slot of a task that fails', async () => {
    const slots = new SendSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await slots.run(async () => 'next')).toBe('next');
  });
});
