import { KafkaModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { OrderDatabase } from './order.database.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(OrderDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['order.placed', 'order.confirmed', 'order.cancelled'] }),
  ],
})
export class OrderModule {}
