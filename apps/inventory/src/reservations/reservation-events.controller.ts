import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import type { InventoryTransaction } from '../inventory.database.ts';
import { CommitReservationCommand } from './commit-reservation.command.ts';
import { ReleaseReservationCommand } from './release-reservation.command.ts';
import { ReserveStockCommand } from './reserve-stock.command.ts';

/** The order app's events, each run as its reservation use case in the event's transaction. */
@Controller()
export class ReservationEventsController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern('order.placed')
  onOrderPlaced(@Payload() event: EventOf<'order.placed'>, @Ctx() ctx: EventContext<InventoryTransaction>) {
    return this.commands.execute(new ReserveStockCommand(event, ctx.tx));
  }

  @EventPattern('order.confirmed')
  onOrderConfirmed(@Payload() event: EventOf<'order.confirmed'>, @Ctx() ctx: EventContext<InventoryTransaction>) {
    return this.commands.execute(new CommitReservationCommand(event, ctx.tx));
  }

  @EventPattern('order.cancelled')
  onOrderCancelled(@Payload() event: EventOf<'order.cancelled'>, @Ctx() ctx: EventContext<InventoryTransaction>) {
    return this.commands.execute(new ReleaseReservationCommand(event, ctx.tx));
  }
}
