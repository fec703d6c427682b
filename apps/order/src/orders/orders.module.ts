import { Module } from '@nestjs/common';
import { OrderOutcomes } from './order-outcomes.ts';
import { OrdersRepository } from './orders.repository.ts';
import { OutcomeApplier } from './outcome.handlers.ts';

/** The order aggregate's persistence and outcome logic, shared by the HTTP side and the event handlers. */
@Module({
  providers: [OrdersRepository, OrderOutcomes, OutcomeApplier],
  exports: [OrdersRepository, OrderOutcomes, OutcomeApplier],
})
export class OrdersModule {}
