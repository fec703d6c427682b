import { recordInInbox } from '@commerce/messaging';
import type { AuthenticatedUser } from '@commerce/platform';
import {
  adminQuery,
  createTestDatabase,
  startTestApp,
  startTestIssuer,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  uniqueId,
} from '@commerce/testing';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderApp } from '../src/app.ts';
import { OrderDatabase } from '../src/order.database.ts';
import { ApplyOrderOutcomeCommand } from '../src/orders/apply-order-outcome.command.ts';
import { CancelOrderCommand } from '../src/orders/cancel-order.command.ts';
import { GetOrderHistoryQuery } from '../src/orders/get-order-history.query.ts';
import { GetOrderQuery } from '../src/orders/get-order.query.ts';
import { ListOrdersQuery } from '../src/orders/list-orders.query.ts';
import type { OrderOutcome } from '../src/orders/order.entity.ts';
import type { OrderView } from '../src/orders/order.view.ts';
import { PlaceOrderCommand } from '../src/orders/place-order.command.ts';

/**
 * What each use case costs the database: statements sent (BEGIN and COMMIT included) and
 * transactions (explicit ones, and every statement sent outside one). Counted at node-postgres'
 * Client#query, for the work started inside `measure` only, so the relay and the consumer running
 * in the background are not counted. Event outcomes run as the transport runs them: in one
 * transaction with their inbox row.
 */
interface Cost {
  statements: number;
  transactions: number;
}

class Tally {
  statements: string[] = [];
  transactions = 0;
  private readonly open = new WeakSet<object>();

  see(client: object, text: string): void {
    this.statements.push(text);
    const verb = text.trim().split(/\s+/, 1)[0]!.toUpperCase();
    if (verb === 'BEGIN') {
      this.open.add(client);
      this.transactions++;
    } else if (verb === 'COMMIT' || verb === 'ROLLBACK') {
      this.open.delete(client);
    } else if (!this.open.has(client)) {
      this.transactions++;
    }
  }
}

const counting = new AsyncLocalStorage<Tally>();
const query = pg.Client.prototype.query;
const textOf = (config: unknown) =>
  typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? '');

describe('order: database round trips per use case', () => {
  let db: TestDatabase;
  let app: TestApp;
  let issuer: TestIssuer;
  let commands: CommandBus;
  let queries: QueryBus;
  let database: OrderDatabase;
  const sku = uniqueId('SKU-');
  const skus = [sku, uniqueId('SKU-'), uniqueId('SKU-')];
  const customer: AuthenticatedUser = { id: randomUUID(), roles: ['customer'] };
  const statements: Record<string, string[]> = {};

  async function measure<T>(name: string, work: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
    const tally = new Tally();
    const result = await counting.run(tally, work);
    statements[name] = tally.statements;
    return { result, cost: { statements: tally.statements.length, transactions: tally.transactions } };
  }
  const place = (key?: string) =>
    commands.execute(new PlaceOrderCommand(customer.id, [{ sku, quantity: 2 }], 'tok_ok', key));
  /** As the Kafka transport applies an event: its inbox row and the handler in one transaction. */
  const deliver = (orderId: string, outcome: OrderOutcome) =>
    database.$transaction(async (tx) => {
      const eventId = randomUUID();
      if (!(await recordInInbox(tx, outcome.type, eventId))) throw new Error('a fresh event id was a duplicate');
      return commands.execute(new ApplyOrderOutcomeCommand(orderId, outcome, tx, { eventId, eventType: outcome.type }));
    });

  beforeAll(async () => {
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      counting.getStore()?.see(this, textOf(args[0]));
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
    issuer = await startTestIssuer();
    db = await createTestDatabase(['order']);
    app = await startTestApp(orderApp, { DATABASE_URL: db.urlFor('order'), ...issuer.env });
    commands = app.app.get(CommandBus);
    queries = app.app.get(QueryBus);
    database = app.app.get(OrderDatabase);
    await adminQuery(
      db,
      `INSERT INTO orders.catalog_products (sku, name, price_cents, currency)
       SELECT sku, 'Widget', 1250, 'USD' FROM unnest($1::text[]) AS sku`,
      [skus],
    );
  });
  afterAll(async () => {
    pg.Client.prototype.query = query;
    await app?.close();
    await issuer?.close();
    await db?.drop();
  });

  it('costs each use case a fixed number of statements and transactions', async () => {
    const costs: Record<string, Cost> = {};
    const run = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const { result, cost } = await measure(name, work);
      costs[name] = cost;
      return result;
    };

    const order = await run('PlaceOrder', () => place());
    const three = await run('PlaceOrder, 3 items', () =>
      commands.execute(
        new PlaceOrderCommand(
          customer.id,
          skus.map((s) => ({ sku: s, quantity: 1 })),
          'tok_ok',
        ),
      ),
    );
    expect(three.items.map((i: { sku: string }) => i.sku)).toEqual([...skus].sort());
    const key = uniqueId('key-');
    const keyed = await run('PlaceOrder, new Idempotency-Key', () => place(key));
    const replayed = await run('PlaceOrder, repeated Idempotency-Key', () => place(key));
    expect(replayed).toEqual(keyed);
    await run('ApplyOrderOutcome inventory.reserved (half-way)', () =>
      deliver(order.id, { type: 'inventory.reserved' }),
    );
    await run('ApplyOrderOutcome payment.authorized (confirms)', () =>
      deliver(order.id, { type: 'payment.authorized' }),
    );
    await run('ApplyOrderOutcome payment.failed (late: no change)', () =>
      deliver(order.id, { type: 'payment.failed' }),
    );
    await run('ApplyOrderOutcome inventory.rejected (cancels)', () =>
      deliver(keyed.id, { type: 'inventory.rejected', reason: 'OUT_OF_STOCK' }),
    );
    const pending = await place();
    const cancelled = await run('CancelOrder', () => commands.execute(new CancelOrderCommand(pending.id, customer)));
    expect(cancelled).toMatchObject({ id: pending.id, status: 'CANCELLED', cancelReason: 'CUSTOMER_CANCELLED' });
    const read = await run('GetOrder', () => queries.execute(new GetOrderQuery(order.id, customer)));
    expect(read).toMatchObject({
      id: order.id,
      status: 'CONFIRMED',
      items: [{ sku, quantity: 2, unitPriceCents: 1250 }],
    });
    const page = await run('ListOrders (limit 20)', () => queries.execute(new ListOrdersQuery(customer, 20)));
    expect(page.items.map((o: OrderView) => o.id)).toEqual([pending.id, keyed.id, three.id, order.id]);
    const history = await run('GetOrderHistory', () => queries.execute(new GetOrderHistoryQuery(order.id, customer)));
    expect(history).toHaveLength(4);

    // Each use case's floor under the libraries it uses: the outbox's insert, which takes its key's lock (1),
    // the transport's BEGIN, inbox row and COMMIT (3). A change here is a change of cost per order.
    const listing = Object.entries(statements)
      .map(
        ([name, sent]) =>
          `${name}:\n  ${sent.map((sql) => sql.replace(/\s+/g, ' ').trim().slice(0, 120)).join('\n  ')}`,
      )
      .join('\n');
    expect(costs, listing).toEqual({
      PlaceOrder: { statements: 5, transactions: 1 },
      'PlaceOrder, 3 items': { statements: 5, transactions: 1 },
      'PlaceOrder, new Idempotency-Key': { statements: 6, transactions: 1 },
      'PlaceOrder, repeated Idempotency-Key': { statements: 4, transactions: 1 },
      'ApplyOrderOutcome inventory.reserved (half-way)': { statements: 5, transactions: 1 },
      'ApplyOrderOutcome payment.authorized (confirms)': { statements: 6, transactions: 1 },
      'ApplyOrderOutcome payment.failed (late: no change)': { statements: 5, transactions: 1 },
      'ApplyOrderOutcome inventory.rejected (cancels)': { statements: 6, transactions: 1 },
      CancelOrder: { statements: 5, transactions: 1 },
      GetOrder: { statements: 1, transactions: 1 },
      'ListOrders (limit 20)': { statements: 1, transactions: 1 },
      GetOrderHistory: { statements: 1, transactions: 1 },
    });
  });

  it('answers a placing, its replay and a cancel with the order exactly as a read shows it afterwards', async () => {
    const get = (id: string) => queries.execute(new GetOrderQuery(id, customer));
    const key = uniqueId('key-');
    const wanted = [...skus].reverse().map((s, i) => ({ sku: s, quantity: i + 1 }));
    const placed = await commands.execute(new PlaceOrderCommand(customer.id, wanted, 'tok_ok', key));
    expect(placed.items.map((i: { sku: string }) => i.sku)).toEqual([...skus].sort());
    expect(await get(placed.id)).toEqual(placed);
    expect(await commands.execute(new PlaceOrderCommand(customer.id, wanted, 'tok_ok', key))).toEqual(placed);
    const cancelled = await commands.execute(new CancelOrderCommand(placed.id, customer));
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'CUSTOMER_CANCELLED' });
    expect(cancelled.updatedAt >= placed.updatedAt).toBe(true);
    expect(await get(placed.id)).toEqual(cancelled);
    const history = await queries.execute(new GetOrderHistoryQuery(placed.id, customer));
    expect(history.at(-1)).toMatchObject({
      status: 'CANCELLED',
      eventType: 'order.cancelled',
      at: cancelled.updatedAt,
    });
  });
});
