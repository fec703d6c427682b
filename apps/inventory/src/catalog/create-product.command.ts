import { Command } from '@nestjs/cqrs';
import type { CreateProductInput } from './product.inputs.ts';
import type { ProductView } from './product.view.ts';

/** An admin adds a product to the catalog with its initial stock. */
export class CreateProductCommand extends Command<ProductView> {
  constructor(readonly input: CreateProductInput) {
    super();
  }
}
