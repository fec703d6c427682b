import type { EventOf } from '@commerce/contracts';
import { type EventHandler, HandlesEvent } from '@commerce/messaging';
import { Injectable, Logger } from '@nestjs/common';
import type { InventoryTransaction } from '../inventory.database.ts';
import { decide } from './reservation-rules.ts';
import { lockReservation, reservedLines, setReservationStatus } from './reservations.repository.ts';
import { commitStock } from './stock-movements.ts';

/** Thrown for an order.confirmed of an order inventory holds nothing for (see the reservation rules). */
export class NoReservationError extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} was confirmed, but inventory has no reservation for it`);
    this.name = 'NoReservationError';
  }
}

/** order.confirmed: the held stock is sold (reserved → sold). Publishes nothing. */
@Injectable()
@HandlesEvent('order.confirmed')
export class CommitReservationHandler implements EventHandler<'order.confirmed', InventoryTransaction> {
  private readonly logger = new Logger(CommitReservationHandler.name);

  async handle(event: EventOf<'order.confirmed'>, tx: InventoryTransaction): Promise<void> {
    const { orderId } = event.data;
    const reservation = await lockReservation(tx, orderId);
    const action = decide('order.confirmed', reservation?.status ?? null);
    // A confirmation needs inventory.reserved, which is committed with the HELD row: without a row
    // something is wrong, so fail (retried, then dead-lettered where an operator sees and can
    // redrive it) instead of silently never counting the sale.
    if (action === 'fail') throw new NoReservationError(orderId);
    if (action !== 'commit') {
      this.logger.log({ orderId, status: reservation?.status }, 'order.confirmed with nothing held: ignored');
      return;
    }
    await commitStock(tx, orderId, await reservedLines(tx, orderId));
    await setReservationStatus(tx, orderId, 'COMMITTED');
    this.logger.log({ orderId, reservationId: reservation!.reservationId }, 'reservation committed');
  }
}
