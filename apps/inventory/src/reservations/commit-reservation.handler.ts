import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CommitReservationCommand } from './commit-reservation.command.ts';
import { decide } from './reservation-rules.ts';
import { ReservationsRepository } from './reservations.repository.ts';

/** Thrown for an order.confirmed of an order inventory holds nothing for (see the reservation rules). */
export class NoReservationError extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} was confirmed, but inventory has no reservation for it`);
    this.name = 'NoReservationError';
  }
}

/** order.confirmed: the held stock is sold (reserved → sold). Publishes nothing. */
@CommandHandler(CommitReservationCommand)
export class CommitReservationHandler implements ICommandHandler<CommitReservationCommand> {
  private readonly logger = new Logger(CommitReservationHandler.name);

  constructor(private readonly reservations: ReservationsRepository) {}

  async execute({ event, tx }: CommitReservationCommand): Promise<void> {
    const { orderId } = event.data;
    const reservation = await this.reservations.lock(tx, orderId);
    const action = decide('order.confirmed', reservation?.status ?? null);
    // A confirmation needs inventory.reserved, which is committed with the HELD row: without a row
    // something is wrong, so fail (retried, then dead-lettered where an operator sees and can
    // redrive it) instead of silently never counting the sale.
    if (action === 'fail') throw new NoReservationError(orderId);
    if (action !== 'commit') {
      this.logger.log({ orderId, status: reservation?.status }, 'order.confirmed with nothing held: ignored');
      return;
    }
    await this.reservations.commitStock(tx, orderId, await this.reservations.heldLines(tx, orderId));
    await this.reservations.setStatus(tx, orderId, 'COMMITTED');
    this.logger.log({ orderId, reservationId: reservation!.reservationId }, 'reservation committed');
  }
}
