import { Module } from '@nestjs/common';
import { CreateProductHandler } from './create-product.handler.ts';
import { GetProductHandler } from './get-product.query.ts';
import { ListProductsHandler } from './list-products.query.ts';
import { ProductsController } from './products.controller.ts';
import { ProductsRepository } from './products.repository.ts';
import { RestockProductHandler } from './restock-product.handler.ts';
import { UpdateProductHandler } from './update-product.handler.ts';

/**
 * The catalog: products, their prices and their stock, read by anyone and changed by admins over
 * HTTP (ProductsController). A new or changed product is published as `product.upserted`.
 */
@Module({
  controllers: [ProductsController],
  providers: [
    ProductsRepository,
    CreateProductHandler,
    UpdateProductHandler,
    RestockProductHandler,
    GetProductHandler,
    ListProductsHandler,
  ],
})
export class CatalogModule {}
