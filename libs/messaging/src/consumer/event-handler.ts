import type { EVENT_CATALOG, EventCatalog, EventOf, EventTypeOf } from '@commerce/contracts';
import type { Type } from '@nestjs/common';

/** What a handler gets besides the event: the transaction it runs in (with the inbox insert). */
export interface HandlerTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** A consumer of one event type. `handle` runs in the transaction that records the event as done. */
export interface EventHandler<
  T extends EventTypeOf<C>,
  Tx = HandlerTransaction,
  C extends EventCatalog = typeof EVENT_CATALOG,
> {
  handle(event: EventOf<T, C>, tx: Tx): Promise<void>;
}

const HANDLES = Symbol('handles event');

/** Marks a class as the handler of an event type; its class name is its inbox consumer name. */
export function HandlesEvent(eventType: string): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(HANDLES, eventType, target);
  };
}

/** The event type a handler class was declared for. */
export function handledEventType(handler: Type): string {
  const type = Reflect.getMetadata(HANDLES, handler) as string | undefined;
  if (!type) throw new Error(`${handler.name} is not decorated with @HandlesEvent(<event type>)`);
  return type;
}
