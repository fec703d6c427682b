import { Outbox } from '@commerce/outbox';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ReleaseReservationCommand } from './release-reservation.command.ts';
import { decide } from './reservation-rules.ts';
import { ReservationsRepository } from './reservations.repository.ts';

/**
 * order.cancelled: held stock goes back to available (`inventory.released`); a cancellation that
 * comes before its order.placed leaves a tombstone, so the late order.placed reserves nothing.
 */
@CommandHandler(ReleaseReservationCommand)
export class ReleaseReservationHandler implements ICommandHandler<ReleaseReservationCommand> {
  private readonly logger = new Logger(ReleaseReservationHandler.name);

  constructor(
    private readonly reservations: ReservationsRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute({ event, tx }: ReleaseReservationCommand): Promise<void> {
    const { orderId } = event.data;
    const reservation = await this.reservations.lock(tx, orderId);
    const action = decide('order.cancelled', reservation?.status ?? null);
    if (action === 'tombstone') {
      await this.reservations.recordTombstone(tx, orderId);
      this.logger.log({ orderId }, 'order cancelled before its order.placed arrived: tombstone kept');
      return;
    }
    if (action !== 'release') {
      this.logger.log({ orderId, status: reservation?.status }, 'order.cancelled with nothing held: ignored');
      return;
    }
    const { reservationId } = reservation!;
    await this.reservations.releaseStock(tx, orderId, await this.reservations.heldLines(tx, orderId));
    await this.reservations.setStatus(tx, orderId, 'RELEASED');
    await this.outbox.add(tx, this.outbox.event('inventory.released', { orderId, reservationId }, orderId));
    this.logger.log({ orderId, reservationId }, 'reservation released');
  }
}
