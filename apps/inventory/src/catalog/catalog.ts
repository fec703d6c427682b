import { Outbox } from '@commerce/outbox';
import { problem } from '@commerce/platform';
import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.ts';
import { InventoryDatabase, type InventoryTransaction } from '../inventory.database.ts';
import type { CreateProductInput, ListProductsQuery, RestockInput, UpdateProductInput } from './product.inputs.ts';
import { toProductView, type ProductView } from './product.view.ts';

const notFound = (sku: string) => new NotFoundException(problem(404, `There is no product with sku ${sku}.`));

/** The catalog's use cases: each runs in one transaction, with the event it publishes (outbox). */
@Injectable()
export class Catalog {
  constructor(
    private readonly db: InventoryDatabase,
    private readonly outbox: Outbox,
  ) {}

  /** A new product with its initial stock; 409 if the sku exists. Publishes product.upserted. */
  async create(input: CreateProductInput): Promise<ProductView> {
    return this.db.$transaction(async (tx) => {
      const [created] = await tx.product.createManyAndReturn({
        data: {
          sku: input.sku,
          name: input.name,
          priceCents: input.priceCents,
          currency: input.currency,
          initialStock: input.stock,
          available: input.stock,
        },
        skipDuplicates: true,
      });
      if (!created) throw new ConflictException(problem(409, `A product with sku ${input.sku} already exists.`));
      await this.published(tx, created);
      return toProductView(created);
    });
  }

  /** A new name and/or price; publishes product.upserted so the order app's catalog copy follows. */
  async update(sku: string, input: UpdateProductInput): Promise<ProductView> {
    return this.db.$transaction(async (tx) => {
      const [updated] = await tx.product.updateManyAndReturn({ where: { sku }, data: input });
      if (!updated) throw notFound(sku);
      await this.published(tx, updated);
      return toProductView(updated);
    });
  }

  /**
   * More stock, counted in `restocked` so the invariant (initial + restocks = available + reserved
   * + sold) can be checked. The increment is done by the database. Publishes nothing: the event
   * carries name and price only, and neither changed.
   */
  async restock(sku: string, input: RestockInput): Promise<ProductView> {
    const [updated] = await this.db.product
      .updateManyAndReturn({
        where: { sku },
        data: { available: { increment: input.quantity }, restocked: { increment: input.quantity } },
      })
      .catch((error: unknown) => {
        if (isOutOfRange(error))
          throw new ConflictException(
            problem(409, `Restocking ${sku} by ${input.quantity} would exceed the largest stock a product can hold.`),
          );
        throw error;
      });
    if (!updated) throw notFound(sku);
    return toProductView(updated);
  }

  /** One product; 404 if the sku is unknown. */
  async get(sku: string): Promise<ProductView> {
    const product = await this.db.product.findUnique({ where: { sku } });
    if (!product) throw notFound(sku);
    return toProductView(product);
  }

  /** A page of products in sku order, and the cursor of the next page (null on the last). */
  async list(query: ListProductsQuery): Promise<{ items: ProductView[]; nextCursor: string | null }> {
    const rows = await this.db.product.findMany({
      where: query.cursor ? { sku: { gt: query.cursor } } : {},
      orderBy: { sku: 'asc' },
      take: query.limit + 1,
    });
    const items = rows.slice(0, query.limit).map(toProductView);
    return { items, nextCursor: rows.length > query.limit ? items[items.length - 1].sku : null };
  }

  private published(tx: InventoryTransaction, product: ProductView): Promise<void> {
    const { sku, name, priceCents, currency } = product;
    return this.outbox.add(tx, this.outbox.event('product.upserted', { sku, name, priceCents, currency }, sku));
  }
}

// An integer column pushed past 2^31 - 1 (PostgreSQL's 22003, which Prisma reports as P2020).
function isOutOfRange(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2020';
}
