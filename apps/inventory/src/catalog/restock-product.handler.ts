import { problem } from '@commerce/platform';
import { ConflictException } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { InventoryDatabase } from '../inventory.database.ts';
import { noSuchProduct, type ProductView } from './product.view.ts';
import { ProductsRepository, StockLimitError } from './products.repository.ts';
import { RestockProductCommand } from './restock-product.command.ts';

/**
 * More stock, counted apart from the initial stock; 404 for an unknown sku, 409 past the largest
 * stock a product can hold. Publishes nothing: `product.upserted` carries name and price only.
 */
@CommandHandler(RestockProductCommand)
export class RestockProductHandler implements ICommandHandler<RestockProductCommand> {
  constructor(
    private readonly db: InventoryDatabase,
    private readonly products: ProductsRepository,
  ) {}

  async execute({ sku, quantity }: RestockProductCommand): Promise<ProductView> {
    const restocked = await this.db
      .$transaction((tx) => this.products.restock(tx, sku, quantity))
      .catch((error: unknown) => {
        if (error instanceof StockLimitError)
          throw new ConflictException(
            problem(409, `Restocking ${sku} by ${quantity} would exceed the largest stock a product can hold.`),
          );
        throw error;
      });
    if (!restocked) throw noSuchProduct(sku);
    return restocked;
  }
}
