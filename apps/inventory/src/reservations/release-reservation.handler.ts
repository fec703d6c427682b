import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Outbox } from '@commerce/outbox';
import { Injectable, Logger } from '@nestjs/common';
import type { InventoryTransaction } from '../inventory.database.ts';
import { decide } from './reservation-rules.ts';
import { lockReservation, recordTombstone, reservedLines, setReservationStatus } from './reservations.repository.ts';
import { releaseStock } from './stock-movements.ts';

/**
 * order.cancelled: held stock goes back to available (inventory.released); a cancellation that
 * comes before its order.placed leaves a tombstone, so the late order.placed reserves nothing.
 */
@Injectable()
@HandlesEvent('order.cancelled')
export class ReleaseReservationHandler implements EventHandler<'order.cancelled', InventoryTransaction> {
  private readonly logger = new Logger(ReleaseReservationHandler.name);

  constructor(private readonly outbox: Outbox) {}

  async handle(event: EventOf<'order.cancelled'>, tx: InventoryTransaction): Promise<void> {
    const { orderId } = event.data;
    const reservation = await lockReservation(tx, orderId);
    const action = decide('order.cancelled', reservation?.status ?? null);
    if (action === 'tombstone') {
      await recordTombstone(tx, orderId);
      this.logger.log({ orderId }, 'order cancelled before its order.placed arrived: tombstone kept');
      return;
    }
    if (action !== 'release') {
      this.logger.log({ orderId, status: reservation?.status }, 'order.cancelled with nothing held: ignored');
      return;
    }
    const { reservationId } = reservation!;
    await releaseStock(tx, orderId, await reservedLines(tx, orderId));
    await setReservationStatus(tx, orderId, 'RELEASED');
    await this.outbox.add(tx, this.outbox.event('inventory.released', { orderId, reservationId }, orderId));
    this.logger.log({ orderId, reservationId }, 'reservation released');
  }
}
