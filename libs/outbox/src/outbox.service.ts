import { createEvent, type EventData, type EVENT_CATALOG, type EventOf, type ServiceName } from '@commerce/contracts';
import { APP_SERVICE, currentCorrelation } from '@commerce/platform';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { addToOutbox, type OutboxTransaction } from './outbox.ts';

type Catalog = typeof EVENT_CATALOG;
type Type = keyof Catalog;

/** The one way an app publishes a domain event: build it, then add it in the use case's transaction. */
@Injectable()
export class Outbox {
  constructor(@Inject(APP_SERVICE) private readonly service: ServiceName) {}

  /**
   * A new event from this app. Its correlation id is the one of the work in progress (the HTTP
   * request, or the event being handled, whose id becomes the causation id).
   */
  event<T extends Type>(type: T, data: EventData<Catalog, T>, aggregateId: string): EventOf<T> {
    const context = currentCorrelation();
    return createEvent(type, data, {
      source: this.service,
      aggregateId,
      correlationId: context?.correlationId ?? randomUUID(),
      causationId: context?.causationId ?? null,
    });
  }

  /** Appends the events to the outbox inside `tx` (a Prisma interactive transaction). */
  add(tx: OutboxTransaction, ...events: EventOf<Type>[]): Promise<void> {
    return addToOutbox(tx, ...events);
  }
}
