import type { EventOf } from '@commerce/contracts';
import { Injectable } from '@nestjs/common';
import type { OrderTransaction } from '../order.database.ts';

/** The order app's copy of the catalog (`catalog_products`), which prices new orders. */
@Injectable()
export class CatalogRepository {
  /** The products of these skus as the catalog copy has them (unknown skus are absent). */
  find(tx: OrderTransaction, skus: string[]) {
    return tx.$queryRaw<Array<{ sku: string; name: string; priceCents: number; currency: string }>>`
      SELECT sku, name, price_cents AS "priceCents", currency FROM catalog_products WHERE sku = ANY(${skus}::text[])`;
  }

  /** Keeps the product as the event describes it, unless a newer event was applied already. */
  async upsert(tx: OrderTransaction, event: EventOf<'product.upserted'>): Promise<void> {
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
