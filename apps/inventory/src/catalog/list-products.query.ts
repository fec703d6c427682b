import { type IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { ProductPage } from './product.view.ts';
import { ProductsRepository } from './products.repository.ts';

/** The catalog in sku order, `limit` products at a time, after the sku `cursor`. */
export class ListProductsQuery extends Query<ProductPage> {
  constructor(
    readonly limit: number,
    readonly cursor?: string,
  ) {
    super();
  }
}

@QueryHandler(ListProductsQuery)
export class ListProductsHandler implements IQueryHandler<ListProductsQuery> {
  constructor(private readonly products: ProductsRepository) {}

  async execute({ limit, cursor }: ListProductsQuery): Promise<ProductPage> {
    // One more than asked: whether it exists says if there is a next page.
    const rows = await this.products.list({ limit: limit + 1, after: cursor });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].sku : null };
  }
}
