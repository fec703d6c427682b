import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import type { PaymentTransaction } from '../payment.database.ts';
import { AuthorizePaymentCommand } from './authorize-payment.command.ts';
import { CapturePaymentCommand } from './capture-payment.command.ts';
import { VoidPaymentCommand } from './void-payment.command.ts';

/** The order events payment acts on, each run as its use case in the event's transaction. */
@Controller()
export class PaymentEventsController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern('order.placed')
  onOrderPlaced(@Payload() event: EventOf<'order.placed'>, @Ctx() ctx: EventContext<PaymentTransaction>) {
    return this.commands.execute(new AuthorizePaymentCommand(event, ctx.tx));
  }

  @EventPattern('order.confirmed')
  onOrderConfirmed(@Payload() event: EventOf<'order.confirmed'>, @Ctx() ctx: EventContext<PaymentTransaction>) {
    return this.commands.execute(new CapturePaymentCommand(event, ctx.tx));
  }

  @EventPattern('order.cancelled')
  onOrderCancelled(@Payload() event: EventOf<'order.cancelled'>, @Ctx() ctx: EventContext<PaymentTransaction>) {
    return this.commands.execute(new VoidPaymentCommand(event, ctx.tx));
  }
}
