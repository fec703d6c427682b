import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Outbox } from '@commerce/outbox';
import { Injectable, Logger } from '@nestjs/common';
import type { InventoryTransaction } from '../inventory.database.ts';
import { decide, mergeLines, rejectionOf, unknownSkus } from './reservation-rules.ts';
import { lockReservation, recordHeld, recordRejected, setReservationStatus } from './reservations.repository.ts';
import { existingSkus, reserveAllOrNone } from './stock-movements.ts';

/** order.placed: reserve every item of the order or none, and say which (inventory.reserved | inventory.rejected). */
@Injectable()
@HandlesEvent('order.placed')
export class ReserveStockHandler implements EventHandler<'order.placed', InventoryTransaction> {
  private readonly logger = new Logger(ReserveStockHandler.name);

  constructor(private readonly outbox: Outbox) {}

  async handle(event: EventOf<'order.placed'>, tx: InventoryTransaction): Promise<void> {
    const { orderId } = event.data;
    const reservation = await lockReservation(tx, orderId);
    const action = decide('order.placed', reservation?.status ?? null);
    if (action === 'refuse') {
      // The order is already CANCELLED: holding stock for it would strand that stock forever.
      await setReservationStatus(tx, orderId, 'REFUSED_CANCELLED');
      this.logger.warn({ orderId }, 'order.placed of an order cancelled before it arrived: nothing reserved');
      return;
    }
    if (action !== 'reserve') {
      this.logger.log({ orderId, status: reservation?.status }, 'order.placed of an order already handled: ignored');
      return;
    }

    const lines = mergeLines(event.data.items);
    const unknown = unknownSkus(
      lines,
      await existingSkus(
        tx,
        lines.map(({ sku }) => sku),
      ),
    );
    const short = unknown.length > 0 ? [] : await reserveAllOrNone(tx, lines);
    const rejection = rejectionOf({ unknown, short });
    if (rejection) {
      await recordRejected(tx, orderId, rejection);
      await this.outbox.add(tx, this.outbox.event('inventory.rejected', { orderId, ...rejection }, orderId));
      this.logger.log({ orderId, ...rejection }, 'order rejected');
      return;
    }
    const reservationId = await recordHeld(tx, orderId, lines);
    await this.outbox.add(
      tx,
      this.outbox.event('inventory.reserved', { orderId, reservationId, items: lines }, orderId),
    );
    this.logger.log({ orderId, reservationId }, 'stock reserved');
  }
}
