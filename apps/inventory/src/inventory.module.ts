import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { Catalog } from './catalog/catalog.ts';
import { ProductsController } from './catalog/products.controller.ts';
import { InventoryDatabase } from './inventory.database.ts';
import { CommitReservationHandler } from './reservations/commit-reservation.handler.ts';
import { ReleaseReservationHandler } from './reservations/release-reservation.handler.ts';
import { ReserveStockHandler } from './reservations/reserve-stock.handler.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(InventoryDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({
      produces: ['product.upserted', 'inventory.reserved', 'inventory.rejected', 'inventory.released'],
    }),
    MessagingModule.forRoot({
      database: InventoryDatabase,
      handlers: [ReserveStockHandler, CommitReservationHandler, ReleaseReservationHandler],
    }),
  ],
  controllers: [ProductsController],
  providers: [Catalog],
})
export class InventoryModule {}
