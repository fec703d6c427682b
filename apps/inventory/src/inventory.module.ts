import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogModule } from './catalog/catalog.module.ts';
import { InventoryDatabase } from './inventory.database.ts';
import { ReservationsModule } from './reservations/reservations.module.ts';

/** The inventory app: infrastructure, then its features (the catalog, reservations). */
@Module({
  imports: [
    DatabaseModule.forRoot(InventoryDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({
      produces: ['product.upserted', 'inventory.reserved', 'inventory.rejected', 'inventory.released'],
    }),
    MessagingModule.forRoot({ database: InventoryDatabase }),
    CqrsModule.forRoot(),
    CatalogModule,
    ReservationsModule,
  ],
})
export class InventoryModule {}
