import { Module } from '@nestjs/common';
import { CatalogEventsController } from './catalog-events.controller.ts';
import { CatalogRepository } from './catalog.repository.ts';

/** The order app's copy of inventory's catalog: fed by `product.upserted`, read when pricing an order. */
@Module({
  controllers: [CatalogEventsController],
  providers: [CatalogRepository],
  exports: [CatalogRepository],
})
export class CatalogModule {}
