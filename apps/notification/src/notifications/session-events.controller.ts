import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import type { NotificationTransaction } from '../notification.database.ts';
import { EndSessionStreamsCommand } from './end-session-streams.command.ts';

/** auth's `session.ended`: the session's notification streams end, on every replica. */
@Controller()
export class SessionEventsController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern('session.ended')
  onSessionEnded(@Payload() event: EventOf<'session.ended'>, @Ctx() ctx: EventContext<NotificationTransaction>) {
    return this.commands.execute(new EndSessionStreamsCommand(event.data, ctx.tx));
  }
}
