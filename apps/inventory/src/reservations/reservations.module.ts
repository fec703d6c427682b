import { Module } from '@nestjs/common';
import { CommitReservationHandler } from './commit-reservation.handler.ts';
import { ReleaseReservationHandler } from './release-reservation.handler.ts';
import { ReservationEventsController } from './reservation-events.controller.ts';
import { ReservationsRepository } from './reservations.repository.ts';
import { ReserveStockHandler } from './reserve-stock.handler.ts';

/**
 * Reservations: stock held for an order on order.placed, sold on order.confirmed, given back on
 * order.cancelled (ReservationEventsController); what each event does is in reservation-rules.ts.
 */
@Module({
  controllers: [ReservationEventsController],
  providers: [ReservationsRepository, ReserveStockHandler, CommitReservationHandler, ReleaseReservationHandler],
})
export class ReservationsModule {}
