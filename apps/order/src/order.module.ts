import { Module } from '@nestjs/common';
import { KafkaModule } from '@commerce/messaging';
import { DatabaseModule } from '@commerce/platform';
import { OrderDatabase } from './order.database.ts';

@Module({
  imports: [DatabaseModule.forRoot(OrderDatabase), KafkaModule.forRoot()],
})
export class OrderModule {}
