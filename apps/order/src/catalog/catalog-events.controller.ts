import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import type { OrderTransaction } from '../order.database.ts';
import { CatalogRepository } from './catalog.repository.ts';

/** Keeps the catalog copy current from inventory's `product.upserted` (no rules: a plain upsert). */
@Controller()
export class CatalogEventsController {
  constructor(private readonly catalog: CatalogRepository) {}

  @EventPattern('product.upserted')
  onProductUpserted(@Payload() event: EventOf<'product.upserted'>, @Ctx() ctx: EventContext<OrderTransaction>) {
    return this.catalog.upsert(ctx.tx, event);
  }
}
