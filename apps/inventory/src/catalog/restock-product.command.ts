import { Command } from '@nestjs/cqrs';
import type { ProductView } from './product.view.ts';

/** An admin adds `quantity` units to a product's stock. */
export class RestockProductCommand extends Command<ProductView> {
  constructor(
    readonly sku: string,
    readonly quantity: number,
  ) {
    super();
  }
}
