import { Command } from '@nestjs/cqrs';
import type { UpdateProductInput } from './product.inputs.ts';
import type { ProductView } from './product.view.ts';

/** An admin renames and/or reprices a product. */
export class UpdateProductCommand extends Command<ProductView> {
  constructor(
    readonly sku: string,
    readonly changes: UpdateProductInput,
  ) {
    super();
  }
}
