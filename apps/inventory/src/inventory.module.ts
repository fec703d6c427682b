import { KafkaModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { InventoryDatabase } from './inventory.database.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(InventoryDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({
      produces: ['product.upserted', 'inventory.reserved', 'inventory.rejected', 'inventory.released'],
    }),
  ],
})
export class InventoryModule {}
