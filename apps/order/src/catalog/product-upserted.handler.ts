import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import type { OrderTransaction } from '../order.database.ts';

/** Keeps the order app's copy of a product, which prices new orders. */
@HandlesEvent('product.upserted')
export class ProductUpsertedHandler implements EventHandler<'product.upserted', OrderTransaction> {
  async handle(event: EventOf<'product.upserted'>, tx: OrderTransaction): Promise<void> {
    const { sku, name, priceCents, currency } = event.data;
    // Events of one sku arrive in order, but a dead letter redriven later would bring back an old
    // price: updated_at holds the applied event's occurredAt, and only a newer event changes the row.
    await tx.$executeRaw`
      INSERT INTO catalog_products (sku, name, price_cents, currency, updated_at)
      VALUES (${sku}, ${name}, ${priceCents}, ${currency}, ${new Date(event.occurredAt)})
      ON CONFLICT (sku) DO UPDATE
        SET name = excluded.name, price_cents = excluded.price_cents, currency = excluded.currency,
            updated_at = excluded.updated_at
        WHERE catalog_products.updated_at <= excluded.updated_at`;
  }
}
