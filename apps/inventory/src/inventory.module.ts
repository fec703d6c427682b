import { Module } from '@nestjs/common';
import { KafkaModule } from '@commerce/messaging';
import { DatabaseModule } from '@commerce/platform';
import { InventoryDatabase } from './inventory.database.ts';

@Module({
  imports: [DatabaseModule.forRoot(InventoryDatabase), KafkaModule.forRoot()],
})
export class InventoryModule {}
