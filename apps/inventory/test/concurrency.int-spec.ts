import { randomUUID } from 'node:crypto';
import { uniqueId } from '@commerce/testing';
import { CommandBus } from '@nestjs/cqrs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InventoryDatabase } from '../src/inventory.database.ts';
import { ReserveStockCommand } from '../src/reservations/reserve-stock.command.ts';
import { InventoryHarness } from './support.ts';

describe('reservations under concurrency', () => {
  let inventory: InventoryHarness;
  const sku = (name: string) => `${name}-${uniqueId('')}`;

  beforeAll(async () => {
    // Six partitions, all consumed at once: six order.placed handled side by side.
    inventory = await InventoryHarness.start({ KAFKA_TOPIC_PARTITIONS: '6', CONSUMER_PARTITIONS_CONCURRENTLY: '6' });
  });
  afterAll(async () => {
    await inventory?.close();
  });
  // Every test, on its own skus and whatever ran before it: the stock adds up to what it supplied.
  afterEach(async () => {
    expect(await inventory.unbalancedStock()).toEqual([]);
  });

  it('30 orders of 1 unit across partitions for 10 in stock: exactly 10 reserved, the rest OUT_OF_STOCK', async () => {
    const s = sku('HOT');
    await inventory.createProduct(s, 10);
    const orders = Array.from({ length: 30 }, () => randomUUID());
    await Promise.all(
      orders.map((orderId, i) => inventory.send([inventory.placed(orderId, [{ sku: s, quantity: 1 }])], i % 6)),
    );

    const verdicts = [...(await inventory.verdicts(orders)).values()];
    expect(verdicts.filter((v) => v.topic === 'inventory.reserved')).toHaveLength(10);
    const rejected = verdicts.filter((v) => v.topic === 'inventory.rejected');
    expect(rejected).toHaveLength(20);
    for (const r of rejected) expect(r.data).toMatchObject({ reason: 'OUT_OF_STOCK', skus: [s] });

    expect(await inventory.product(s)).toMatchObject({ available: 0, reserved: 10, sold: 0 });
    expect(
      await inventory.query(`SELECT sum(quantity)::int AS held FROM inventory.reservation_items WHERE sku = $1`, [s]),
    ).toEqual([{ held: 10 }]);
  });

  it('40 transactions at once straight through the use case: never oversold, never a deadlock', async () => {
    // Past Kafka, as many transactions as the pool allows race on the same rows; half name the
    // skus in one order and half in the other, which would deadlock without the sorted locking.
    const [a, b] = [sku('RACE-A'), sku('RACE-B')];
    await inventory.createProduct(a, 15);
    await inventory.createProduct(b, 100);
    const commands = inventory.app.app.get(CommandBus, { strict: false });
    const db = inventory.app.app.get(InventoryDatabase, { strict: false });
    const orders = Array.from({ length: 40 }, () => randomUUID());

    const results = await Promise.allSettled(
      orders.map((orderId, i) => {
        const items = [
          { sku: a, quantity: 1 },
          { sku: b, quantity: 2 },
        ];
        const event = inventory.placed(orderId, i % 2 ? items : items.reverse());
        return db.$transaction((tx) => commands.execute(new ReserveStockCommand(event, tx)), {
          maxWait: 30_000,
          timeout: 30_000,
        });
      }),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    const statuses = await inventory.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM inventory.reservations WHERE order_id = ANY($1) GROUP BY status ORDER BY status`,
      [orders],
    );
    expect(statuses).toEqual([
      { status: 'HELD', n: 15 },
      { status: 'REJECTED', n: 25 },
    ]);
    expect(await inventory.product(a)).toMatchObject({ available: 0, reserved: 15 });
    expect(await inventory.product(b)).toMatchObject({ available: 70, reserved: 30 });
  });

  it('a reservation that is confirmed and one that is cancelled at once, for many orders, end balanced', async () => {
    const s = sku('MIX');
    await inventory.createProduct(s, 20);
    const orders = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(
      orders.map((orderId, i) => inventory.send([inventory.placed(orderId, [{ sku: s, quantity: 1 }])], i % 6)),
    );
    await inventory.verdicts(orders);

    // Even orders are confirmed, odd ones cancelled, all at once on two topics.
    const followUps = orders.map((orderId, i) => (i % 2 ? inventory.cancelled(orderId) : inventory.confirmed(orderId)));
    await Promise.all(followUps.map((event, i) => inventory.send([event], i % 6)));
    for (const event of followUps) await inventory.handled(event.eventId);

    expect(await inventory.product(s)).toMatchObject({ available: 10, reserved: 0, sold: 10 });
  });
});
