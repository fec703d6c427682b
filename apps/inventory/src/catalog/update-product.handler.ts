import { Outbox } from '@commerce/outbox';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InventoryDatabase } from '../inventory.database.ts';
import { noSuchProduct, type ProductView } from './product.view.ts';
import { ProductsRepository } from './products.repository.ts';
import { UpdateProductCommand } from './update-product.command.ts';

/**
 * Writes the new name and/or price and its `product.upserted` in one transaction, so the order
 * app's catalog copy follows; 404 for an unknown sku.
 */
@CommandHandler(UpdateProductCommand)
export class UpdateProductHandler implements ICommandHandler<UpdateProductCommand> {
  constructor(
    private readonly db: InventoryDatabase,
    private readonly products: ProductsRepository,
    private readonly outbox: Outbox,
  ) {}

  execute(command: UpdateProductCommand): Promise<ProductView> {
    return this.db.$transaction(async (tx) => {
      const updated = await this.products.update(tx, command.sku, command.changes);
      if (!updated) throw noSuchProduct(command.sku);
      const { sku, name, priceCents, currency } = updated;
      await this.outbox.add(tx, this.outbox.event('product.upserted', { sku, name, priceCents, currency }, sku));
      return updated;
    });
  }
}
