import { Outbox } from '@commerce/outbox';
import { Logger } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { decide, mergeLines, rejectionOf, unknownSkus } from './reservation-rules.ts';
import { ReservationsRepository } from './reservations.repository.ts';
import { ReserveStockCommand } from './reserve-stock.command.ts';

/**
 * order.placed: reserves every item of the order or none, and says which (`inventory.reserved` |
 * `inventory.rejected`); refuses an order already cancelled (its tombstone), reserving nothing.
 */
@CommandHandler(ReserveStockCommand)
export class ReserveStockHandler implements ICommandHandler<ReserveStockCommand> {
  private readonly logger = new Logger(ReserveStockHandler.name);

  constructor(
    private readonly reservations: ReservationsRepository,
    private readonly outbox: Outbox,
  ) {}

  async execute({ event, tx }: ReserveStockCommand): Promise<void> {
    const { orderId } = event.data;
    const reservation = await this.reservations.lock(tx, orderId);
    const action = decide('order.placed', reservation?.status ?? null);
    if (action === 'refuse') {
      // The order is already CANCELLED: holding stock for it would strand that stock forever.
      await this.reservations.setStatus(tx, orderId, 'REFUSED_CANCELLED');
      this.logger.warn({ orderId }, 'order.placed of an order cancelled before it arrived: nothing reserved');
      return;
    }
    if (action !== 'reserve') {
      this.logger.log({ orderId, status: reservation?.status }, 'order.placed of an order already handled: ignored');
      return;
    }

    const lines = mergeLines(event.data.items);
    const skus = lines.map(({ sku }) => sku);
    const unknown = unknownSkus(lines, await this.reservations.existingSkus(tx, skus));
    const short = unknown.length > 0 ? [] : await this.reservations.reserveAllOrNone(tx, lines);
    const rejection = rejectionOf({ unknown, short });
    if (rejection) {
      await this.reservations.recordRejected(tx, orderId, rejection);
      await this.outbox.add(tx, this.outbox.event('inventory.rejected', { orderId, ...rejection }, orderId));
      this.logger.log({ orderId, ...rejection }, 'order rejected');
      return;
    }
    const reservationId = await this.reservations.recordHeld(tx, orderId, lines);
    await this.outbox.add(
      tx,
      this.outbox.event('inventory.reserved', { orderId, reservationId, items: lines }, orderId),
    );
    this.logger.log({ orderId, reservationId }, 'stock reserved');
  }
}
