import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { noSuchProduct, type ProductView } from './product.view.ts';
import { ProductsRepository } from './products.repository.ts';

/** One product, by sku; 404 if the catalog does not have it. */
export class GetProductQuery extends Query<ProductView> {
  constructor(readonly sku: string) {
    super();
  }
}

@QueryHandler(GetProductQuery)
export class GetProductHandler implements IQueryHandler<GetProductQuery> {
  constructor(private readonly products: ProductsRepository) {}

  async execute({ sku }: GetProductQuery): Promise<ProductView> {
    const product = await this.products.find(sku);
    if (!product) throw noSuchProduct(sku);
    return product;
  }
}
