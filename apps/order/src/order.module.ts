import { KafkaModule, MessagingModule } from '@commerce/messaging';
import { OutboxModule } from '@commerce/outbox';
import { DatabaseModule } from '@commerce/platform';
import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ProductUpsertedHandler } from './catalog/product-upserted.handler.ts';
import { OrderDatabase } from './order.database.ts';
import { CancelOrderHandler } from './orders/cancel-order.handler.ts';
import { GetOrderHandler, GetOrderHistoryHandler, ListOrdersHandler } from './orders/order-queries.ts';
import { OrdersController } from './orders/orders.controller.ts';
import { OrdersModule } from './orders/orders.module.ts';
import {
  InventoryRejectedHandler,
  InventoryReservedHandler,
  PaymentAuthorizedHandler,
  PaymentFailedHandler,
} from './orders/outcome.handlers.ts';
import { PlaceOrderHandler } from './orders/place-order.handler.ts';

@Module({
  imports: [
    DatabaseModule.forRoot(OrderDatabase),
    KafkaModule.forRoot(),
    OutboxModule.forRoot({ produces: ['order.placed', 'order.confirmed', 'order.cancelled'] }),
    CqrsModule.forRoot(),
    MessagingModule.forRoot({
      database: OrderDatabase,
      handlers: [
        ProductUpsertedHandler,
        InventoryReservedHandler,
        InventoryRejectedHandler,
        PaymentAuthorizedHandler,
        PaymentFailedHandler,
      ],
      imports: [OrdersModule],
    }),
    OrdersModule,
  ],
  controllers: [OrdersController],
  providers: [PlaceOrderHandler, CancelOrderHandler, GetOrderHandler, ListOrdersHandler, GetOrderHistoryHandler],
})
export class OrderModule {}
