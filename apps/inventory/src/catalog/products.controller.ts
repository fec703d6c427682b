import { Authenticated, ZodPipe } from '@commerce/platform';
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Catalog } from './catalog.ts';
import { CreateProductInput, ListProductsQuery, RestockInput, SkuParam, UpdateProductInput } from './product.inputs.ts';
import type { ProductView } from './product.view.ts';

const admin = { roles: ['admin'] };

/** The catalog over HTTP: anyone reads it, admins change it (CONTRACT.md, inventory). */
@Controller('products')
export class ProductsController {
  constructor(private readonly catalog: Catalog) {}

  @Post()
  @Authenticated(admin)
  create(@Body(new ZodPipe(CreateProductInput)) input: CreateProductInput): Promise<ProductView> {
    return this.catalog.create(input);
  }

  @Patch(':sku')
  @Authenticated(admin)
  update(
    @Param('sku', new ZodPipe(SkuParam)) sku: string,
    @Body(new ZodPipe(UpdateProductInput)) input: UpdateProductInput,
  ): Promise<ProductView> {
    return this.catalog.update(sku, input);
  }

  @Post(':sku/restock')
  @HttpCode(200)
  @Authenticated(admin)
  restock(
    @Param('sku', new ZodPipe(SkuParam)) sku: string,
    @Body(new ZodPipe(RestockInput)) input: RestockInput,
  ): Promise<ProductView> {
    return this.catalog.restock(sku, input);
  }

  @Get()
  list(
    @Query(new ZodPipe(ListProductsQuery)) query: ListProductsQuery,
  ): Promise<{ items: ProductView[]; nextCursor: string | null }> {
    return this.catalog.list(query);
  }

  @Get(':sku')
  get(@Param('sku', new ZodPipe(SkuParam)) sku: string): Promise<ProductView> {
    return this.catalog.get(sku);
  }
}
