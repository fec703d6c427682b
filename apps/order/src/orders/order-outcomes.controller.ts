import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import type { OrderTransaction } from '../order.database.ts';
import { ApplyOrderOutcomeCommand } from './apply-order-outcome.command.ts';
import type { OrderOutcome } from './order.entity.ts';

type OutcomeEvent = EventOf<'inventory.reserved' | 'inventory.rejected' | 'payment.authorized' | 'payment.failed'>;

/** What inventory and payment answer to `order.placed`, applied to the order in the event's transaction. */
@Controller()
export class OrderOutcomesController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern('inventory.reserved')
  onInventoryReserved(@Payload() event: EventOf<'inventory.reserved'>, @Ctx() ctx: EventContext<OrderTransaction>) {
    return this.apply(event, { type: 'inventory.reserved' }, ctx);
  }

  @EventPattern('inventory.rejected')
  onInventoryRejected(@Payload() event: EventOf<'inventory.rejected'>, @Ctx() ctx: EventContext<OrderTransaction>) {
    return this.apply(event, { type: 'inventory.rejected', reason: event.data.reason }, ctx);
  }

  @EventPattern('payment.authorized')
  onPaymentAuthorized(@Payload() event: EventOf<'payment.authorized'>, @Ctx() ctx: EventContext<OrderTransaction>) {
    return this.apply(event, { type: 'payment.authorized' }, ctx);
  }

  @EventPattern('payment.failed')
  onPaymentFailed(@Payload() event: EventOf<'payment.failed'>, @Ctx() ctx: EventContext<OrderTransaction>) {
    return this.apply(event, { type: 'payment.failed' }, ctx);
  }

  private apply(event: OutcomeEvent, outcome: OrderOutcome, ctx: EventContext<OrderTransaction>) {
    const cause = { eventId: event.eventId, eventType: event.eventType };
    return this.commands.execute(new ApplyOrderOutcomeCommand(event.data.orderId, outcome, ctx.tx, cause));
  }
}
