import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.ts';
import { ApplyOrderOutcomeHandler } from './apply-order-outcome.handler.ts';
import { CancelOrderHandler } from './cancel-order.handler.ts';
import { CancelOverdueOrdersHandler } from './cancel-overdue-orders.handler.ts';
import { DeleteExpiredIdempotencyKeysHandler } from './delete-expired-idempotency-keys.handler.ts';
import { GetOrderHistoryHandler } from './get-order-history.query.ts';
import { GetOrderHandler } from './get-order.query.ts';
import { IdempotencyKeyRetention } from './idempotency-key-retention.ts';
import { ListOrdersHandler } from './list-orders.query.ts';
import { OrderMetrics } from './order-metrics.ts';
import { OrderOutcomesController } from './order-outcomes.controller.ts';
import { OrdersController } from './orders.controller.ts';
import { OrdersRepository } from './orders.repository.ts';
import { OverdueOrderSweeper } from './overdue-order-sweeper.ts';
import { PlaceOrderHandler } from './place-order.handler.ts';

/**
 * Orders: placed and cancelled over HTTP (OrdersController), settled by what inventory and
 * payment answer (OrderOutcomesController), or cancelled when they do not answer in time
 * (OverdueOrderSweeper). Every side runs the same use cases on the aggregate. Idempotency keys are
 * kept for their retention only (IdempotencyKeyRetention).
 */
@Module({
  imports: [CatalogModule],
  controllers: [OrdersController, OrderOutcomesController],
  providers: [
    OrdersRepository,
    OrderMetrics,
    PlaceOrderHandler,
    CancelOrderHandler,
    ApplyOrderOutcomeHandler,
    CancelOverdueOrdersHandler,
    OverdueOrderSweeper,
    DeleteExpiredIdempotencyKeysHandler,
    IdempotencyKeyRetention,
    GetOrderHandler,
    ListOrdersHandler,
    GetOrderHistoryHandler,
  ],
})
export class OrdersModule {}
