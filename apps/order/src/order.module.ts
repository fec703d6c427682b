import { KafkaModule } from '@commerce/kafka';
import { MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CatalogModule } from './catalog/catalog.module.ts';
import { OrderDatabase } from './order.database.ts';
import { OrdersModule } from './orders/orders.module.ts';

/** The order app: infrastructure, then its features (the catalog copy, orders). */
@Module({
  imports: [
    DatabaseModule.forRoot(OrderDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['order.placed', 'order.confirmed', 'order.cancelled'] }),
    MessagingModule.forRoot({ database: OrderDatabase }),
    CqrsModule.forRoot(),
    CatalogModule,
    OrdersModule,
  ],
})
export class OrderModule {}
