import { describe, expect, it } from 'vitest';
import { uniqueId } from './database.ts';
import { isStaleTestResource } from './sweep.ts';

describe('stale test resources', () => {
  it('are names made by uniqueId more than an hour ago', () => {
    const old = `t${(Date.now() - 2 * 3600_000).toString(36)}a1b2c3`;
    expect(isStaleTestResource(`commerce_${old}`)).toBe(true);
    expect(isStaleTestResource(`${old}_orders`)).toBe(true);
    expect(isStaleTestResource(`${old}.payment.authorized.dlq`)).toBe(true);
    expect(isStaleTestResource(`commerce_${uniqueId()}`)).toBe(false);
    expect(isStaleTestResource(`${uniqueId()}.order.placed`)).toBe(false);
  });

  it('never include names the apps or people use', () => {
    for (const name of [
      'commerce',
      'orders_app',
      'order.placed',
      'order.placed.dlq',
      'test',
      '__consumer_offsets',
      'tools',
    ]) {
      expect(isStaleTestResource(name)).toBe(false);
    }
  });
});
