import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import type { NotificationTransaction } from '../notification.database.ts';
import { RecordOrderNotificationCommand } from './record-order-notification.command.ts';

/** What order publishes about an order, each recorded as one email to its customer in the event's transaction. */
@Controller()
export class OrderEventsController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern('order.placed')
  onOrderPlaced(@Payload() event: EventOf<'order.placed'>, @Ctx() ctx: EventContext<NotificationTransaction>) {
    return this.commands.execute(new RecordOrderNotificationCommand(event, ctx.tx));
  }

  @EventPattern('order.confirmed')
  onOrderConfirmed(@Payload() event: EventOf<'order.confirmed'>, @Ctx() ctx: EventContext<NotificationTransaction>) {
    return this.commands.execute(new RecordOrderNotificationCommand(event, ctx.tx));
  }

  @EventPattern('order.cancelled')
  onOrderCancelled(@Payload() event: EventOf<'order.cancelled'>, @Ctx() ctx: EventContext<NotificationTransaction>) {
    return this.commands.execute(new RecordOrderNotificationCommand(event, ctx.tx));
  }
}
