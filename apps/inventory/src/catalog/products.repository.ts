import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.ts';
import { InventoryDatabase, type InventoryTransaction } from '../inventory.database.ts';
import type { CreateProductInput, UpdateProductInput } from './product.inputs.ts';
import type { ProductView } from './product.view.ts';

/** Thrown when a restock would push a stock column past the largest integer it can hold. */
export class StockLimitError extends Error {
  constructor(sku: string, quantity: number) {
    super(`restocking ${sku} by ${quantity} would exceed the largest stock a product can hold`);
    this.name = 'StockLimitError';
  }
}

// The public fields of a product row: initial_stock and restocked are the supply, kept inside.
function toView(row: ProductView): ProductView {
  const { sku, name, priceCents, currency, available, reserved, sold } = row;
  return { sku, name, priceCents, currency, available, reserved, sold };
}

/**
 * The catalog's products (`products`). Stock columns change here only by a database increment
 * (restock); reservations move stock between them in reservations.repository.ts. The CHECK
 * constraints keep initial + restocked = available + reserved + sold, none below 0.
 */
@Injectable()
export class ProductsRepository {
  constructor(private readonly db: InventoryDatabase) {}

  /** Inserts the product, all its stock available; null (and nothing written) if the sku exists. */
  async create(tx: InventoryTransaction, input: CreateProductInput): Promise<ProductView | null> {
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
    return created ? toView(created) : null;
  }

  /** A new name and/or price; null if there is no such sku. */
  async update(tx: InventoryTransaction, sku: string, changes: UpdateProductInput): Promise<ProductView | null> {
    const [updated] = await tx.product.updateManyAndReturn({ where: { sku }, data: changes });
    return updated ? toView(updated) : null;
  }

  /**
   * Adds `quantity` to available and to restocked (so the balance can be checked), incremented by
   * the database; null if there is no such sku, StockLimitError past the columns' range.
   */
  async restock(tx: InventoryTransaction, sku: string, quantity: number): Promise<ProductView | null> {
    try {
      const [updated] = await tx.product.updateManyAndReturn({
        where: { sku },
        data: { available: { increment: quantity }, restocked: { increment: quantity } },
      });
      return updated ? toView(updated) : null;
    } catch (error) {
      if (isOutOfRange(error)) throw new StockLimitError(sku, quantity);
      throw error;
    }
  }

  async find(sku: string): Promise<ProductView | null> {
    const row = await this.db.product.findUnique({ where: { sku } });
    return row ? toView(row) : null;
  }

  /** Up to `limit` products in sku order, after the sku `after`. */
  async list(options: { limit: number; after?: string }): Promise<ProductView[]> {
    const rows = await this.db.product.findMany({
      where: options.after ? { sku: { gt: options.after } } : {},
      orderBy: { sku: 'asc' },
      take: options.limit,
    });
    return rows.map(toView);
  }
}

// An integer column pushed past 2^31 - 1 (PostgreSQL's 22003, which Prisma reports as P2020).
function isOutOfRange(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2020';
}
