import { Outbox } from '@commerce/outbox';
import { problem } from '@commerce/platform';
import { UnprocessableEntityException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createHash, randomUUID } from 'node:crypto';
import { OrderDatabase, type OrderTransaction } from '../order.database.ts';
import { CatalogRepository } from '../catalog/catalog.repository.ts';
import { OrderMetrics } from './order-metrics.ts';
import { Order } from './order.entity.ts';
import type { OrderView } from './order.view.ts';
import { OrdersRepository } from './orders.repository.ts';
import { PlaceOrderCommand } from './place-order.command.ts';

function requestHash(command: PlaceOrderCommand): string {
  return createHash('sha256')
    .update(JSON.stringify({ items: command.items, paymentToken: command.paymentToken }))
    .digest('hex');
}

/**
 * Prices the items from the catalog copy and writes the order with its `order.placed` in one
 * transaction. An Idempotency-Key is claimed in that same transaction, so of two concurrent
 * requests with one key, the second waits for the first and then returns its order.
 */
@CommandHandler(PlaceOrderCommand)
export class PlaceOrderHandler implements ICommandHandler<PlaceOrderCommand> {
  constructor(
    private readonly db: OrderDatabase,
    private readonly orders: OrdersRepository,
    private readonly outbox: Outbox,
    private readonly catalog: CatalogRepository,
    private readonly metrics: OrderMetrics,
  ) {}

  async execute(command: PlaceOrderCommand): Promise<OrderView> {
    // Counted once committed, and not for a repeated Idempotency-Key that returns the earlier order.
    let created = false;
    const answer = await this.db.$transaction(async (tx) => {
      const orderId = randomUUID();
      if (command.idempotencyKey) {
        const earlier = await this.claimKey(tx, command, orderId);
        if (earlier) return earlier;
      }
      const { items, totalCents, currency } = await this.price(tx, command.items);
      const placed = this.outbox.event(
        'order.placed',
        { orderId, customerId: command.customerId, items, totalCents, currency, paymentToken: command.paymentToken },
        orderId,
      );
      // The order, its items and its first history line in one statement, which answers with its view.
      const view = await this.orders.create(tx, Order.place(orderId, command.customerId), items, totalCents, currency, {
        eventId: placed.eventId,
        eventType: placed.eventType,
      });
      await this.outbox.add(tx, placed);
      created = true;
      return view;
    });
    if (created) this.metrics.placed();
    return answer;
  }

  /** Claims the key for `orderId`; returns the earlier order when the key was used with this body. */
  private async claimKey(tx: OrderTransaction, command: PlaceOrderCommand, orderId: string) {
    const hash = requestHash(command);
    const key = command.idempotencyKey!;
    if (await this.orders.claimKey(tx, { customerId: command.customerId, key, requestHash: hash, orderId })) {
      return undefined;
    }
    // A separate statement: one that read in the claim's own snapshot would miss the row of a
    // concurrent claim it waited for.
    const earlier = await this.orders.findByKey(tx, command.customerId, key);
    if (!earlier) throw new Error(`Idempotency-Key ${key} conflicted, but no order holds it`);
    if (earlier.requestHash !== hash) {
      throw new UnprocessableEntityException(
        problem(422, 'This Idempotency-Key was already used with a different request body.'),
      );
    }
    return earlier.order;
  }

  private async price(tx: OrderTransaction, wanted: PlaceOrderCommand['items']) {
    const products = await this.catalog.find(
      tx,
      wanted.map((i) => i.sku),
    );
    const bySku = new Map(products.map((p) => [p.sku, p]));
    const unknown = wanted.flatMap((item, index) =>
      bySku.has(item.sku) ? [] : [{ field: `items.${index}.sku`, message: `unknown sku ${item.sku}` }],
    );
    if (unknown.length > 0) {
      throw new UnprocessableEntityException(
        problem(422, 'The order names products that do not exist.', { errors: unknown }),
      );
    }
    const currencies = new Set(products.map((p) => p.currency));
    if (currencies.size > 1) {
      throw new UnprocessableEntityException(
        problem(
          422,
          `The items are priced in different currencies (${[...currencies].join(', ')}); order them separately.`,
        ),
      );
    }
    const items = wanted.map((item) => ({ ...item, unitPriceCents: bySku.get(item.sku)!.priceCents }));
    const totalCents = items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
    if (!Number.isSafeInteger(totalCents) || totalCents > 2_000_000_000) {
      throw new UnprocessableEntityException(problem(422, 'The order total is too large.'));
    }
    return { items, totalCents, currency: products[0]!.currency };
  }
}
