import { Outbox } from '@commerce/outbox';
import { problem } from '@commerce/platform';
import { ConflictException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InventoryDatabase } from '../inventory.database.ts';
import { CreateProductCommand } from './create-product.command.ts';
import type { ProductView } from './product.view.ts';
import { ProductsRepository } from './products.repository.ts';

/**
 * Writes the new product and its `product.upserted` (the order app's catalog copy) in one
 * transaction; 409 if the sku exists, and then nothing is written or published.
 */
@CommandHandler(CreateProductCommand)
export class CreateProductHandler implements ICommandHandler<CreateProductCommand> {
  constructor(
    private readonly db: InventoryDatabase,
    private readonly products: ProductsRepository,
    private readonly outbox: Outbox,
  ) {}

  execute({ input }: CreateProductCommand): Promise<ProductView> {
    return this.db.$transaction(async (tx) => {
      const created = await this.products.create(tx, input);
      if (!created) throw new ConflictException(problem(409, `A product with sku ${input.sku} already exists.`));
      const { sku, name, priceCents, currency } = created;
      await this.outbox.add(tx, this.outbox.event('product.upserted', { sku, name, priceCents, currency }, sku));
      return created;
    });
  }
}
