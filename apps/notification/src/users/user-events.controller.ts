import type { EventOf } from '@commerce/contracts';
import { EventContext, EventPattern } from '@commerce/messaging';
import { Controller } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Ctx, Payload } from '@nestjs/microservices';
import type { NotificationTransaction } from '../notification.database.ts';
import { WelcomeUserCommand } from './welcome-user.command.ts';

/** auth's `user.created`: the new user is welcomed in the event's transaction. */
@Controller()
export class UserEventsController {
  constructor(private readonly commands: CommandBus) {}

  @EventPattern('user.created')
  onUserCreated(@Payload() event: EventOf<'user.created'>, @Ctx() ctx: EventContext<NotificationTransaction>) {
    return this.commands.execute(new WelcomeUserCommand(event.data, ctx.tx));
  }
}
