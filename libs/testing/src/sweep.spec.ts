import { describe, expect, inject, it } from 'vitest';
import { uniqueId } from './database.ts';
import { isOwnRunTestResource, isStaleTestResource } from './sweep.ts';

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

  it("of this run are the names made since its start with its tag, not another run's", () => {
    const since = Date.now() - 1000;
    const tag = inject('runTag');
    expect(isOwnRunTestResource(`${uniqueId()}.order.placed`, tag, since)).toBe(true);
    expect(isOwnRunTestResource(`${uniqueId()}.order`, tag, since)).toBe(true);
    const otherTag = tag === 'ffff' ? '0000' : 'ffff';
    const now = Date.now().toString(36);
    expect(isOwnRunTestResource(`t${now}${otherTag}abcd.order.placed`, tag, since)).toBe(false);
    expect(isOwnRunTestResource(`t${(since - 60_000).toString(36)}${tag}abcd.order.placed`, tag, since)).toBe(false);
    expect(isOwnRunTestResource('order.placed', tag, since)).toBe(false);
  });
});
