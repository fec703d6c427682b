import type { EventType } from '@commerce/contracts';
import { EventPattern as NestEventPattern } from '@nestjs/microservices';

/**
 * Nest's `@EventPattern`, for an event type of the contract: the method handles that topic's
 * events. (Nest's typed overload would refuse a typed `@Ctx()` parameter; this picks the plain one.)
 */
export function EventPattern(eventType: EventType): MethodDecorator {
  return NestEventPattern<string>(eventType);
}
