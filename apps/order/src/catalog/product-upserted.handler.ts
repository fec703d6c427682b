import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import type { OrderTransaction } from '../order.database.ts';

/** Keeps the order app's copy of a product, which prices new orders. */
@HandlesEvent('product.upserted')
export class ProductUpsertedHandler implements EventHandler<'product.upserted', OrderTransaction> {
  async handle(event: EventOf<'product.upserted'>, tx: OrderTransaction): Promise<void> {
    const { sku, name, priceCents, currency } = event.data;
    // Events of one sku arrive in order (keyed by sku), so the last one applied is the newest.
    await tx.catalogProduct.upsert({
      where: { sku },
      create: { sku, name, priceCents, currency },
      update: { name, priceCents, currency, updatedAt: new Date() },
    });
  }
}
