import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Envelope, envelopeSchema } from './envelope.ts';
import * as events from './events.ts';
import type { ServiceName } from './services.ts';

/** One version of an event's data; every version after the first says how to lift its predecessor. */
export interface EventVersion {
  version: number;
  schema: z.ZodType;
  /** Turns the previous version's data into this version's. */
  upcast?: (previous: never) => unknown;
}

/** An event type with all its versions, oldest first; consumers always see the newest. */
export interface EventDefinition<T extends string = string, D = unknown> {
  type: T;
  versions: EventVersion[];
  /** Type-level only: the data of the newest version. */
  readonly _data?: D;
}

/** Declares an event type; versions must be 1, 2, 3… and each after the first needs an upcaster. */
export function defineEvent<T extends string, S extends z.ZodType>(
  type: T,
  versions: [...EventVersion[], { version: number; schema: S; upcast?: (previous: never) => unknown }],
): EventDefinition<T, z.infer<S>> {
  versions.forEach((v, i) => {
    if (v.version !== i + 1) throw new Error(`${type}: versions must be 1, 2, 3…`);
    if (i > 0 && !v.upcast) throw new Error(`${type} v${v.version}: needs an upcaster from v${i}`);
  });
  return { type, versions };
}

const latest = <T extends string, D>(d: EventDefinition<T, D>) => d.versions[d.versions.length - 1];

/** The catalog of docs/contract.md: every event type, its versions, its data schema. */
export const EVENT_CATALOG = {
  'user.created': defineEvent('user.created', [{ version: 1, schema: events.UserCreatedV1 }]),
  'session.ended': defineEvent('session.ended', [{ version: 1, schema: events.SessionEndedV1 }]),
  'product.upserted': defineEvent('product.upserted', [{ version: 1, schema: events.ProductUpsertedV1 }]),
  'order.placed': defineEvent('order.placed', [{ version: 1, schema: events.OrderPlacedV1 }]),
  'inventory.reserved': defineEvent('inventory.reserved', [{ version: 1, schema: events.InventoryReservedV1 }]),
  'inventory.rejected': defineEvent('inventory.rejected', [{ version: 1, schema: events.InventoryRejectedV1 }]),
  'inventory.released': defineEvent('inventory.released', [{ version: 1, schema: events.InventoryReleasedV1 }]),
  'payment.authorized': defineEvent('payment.authorized', [{ version: 1, schema: events.PaymentAuthorizedV1 }]),
  'payment.failed': defineEvent('payment.failed', [{ version: 1, schema: events.PaymentFailedV1 }]),
  'payment.captured': defineEvent('payment.captured', [{ version: 1, schema: events.PaymentCapturedV1 }]),
  'payment.voided': defineEvent('payment.voided', [{ version: 1, schema: events.PaymentVoidedV1 }]),
  'order.confirmed': defineEvent('order.confirmed', [{ version: 1, schema: events.OrderConfirmedV1 }]),
  'order.cancelled': defineEvent('order.cancelled', [{ version: 1, schema: events.OrderCancelledV1 }]),
} as const;

/** A set of event definitions by type: the contract's catalog, or one of a consumer's own. */
export type EventCatalog = Record<string, EventDefinition>;

/** Event types of a catalog. */
export type EventTypeOf<C extends EventCatalog> = Extract<keyof C, string>;

/** The newest data type of an event type. */
export type EventData<C extends EventCatalog, T extends EventTypeOf<C>> =
  C[T] extends EventDefinition<string, infer D> ? D : never;

/** An envelope whose data is the newest version of its type. */
export type EventOf<T extends EventTypeOf<C>, C extends EventCatalog = typeof EVENT_CATALOG> = Envelope<
  EventData<C, T>
> & { eventType: T };

/** Why a message cannot be read as an event of the catalog. */
export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Reads a message value as an event of the catalog: validates the envelope and the data of its
 * version, then upcasts older versions to the newest. A newer version than the catalog knows is
 * read with the newest schema (added fields are dropped). Throws InvalidEventError otherwise.
 */
export function readEvent<C extends EventCatalog>(catalog: C, value: unknown): EventOf<EventTypeOf<C>, C> {
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) throw new InvalidEventError(`invalid envelope: ${describe(envelope.error)}`);
  const { eventType, eventVersion } = envelope.data;
  const definition = catalog[eventType];
  if (!definition) throw new InvalidEventError(`unknown event type ${eventType}`);
  const newest = latest(definition);
  const start = Math.min(eventVersion, newest.version);
  const own = definition.versions[start - 1].schema.safeParse(envelope.data.data);
  if (!own.success) throw new InvalidEventError(`invalid ${eventType} v${eventVersion} data: ${describe(own.error)}`);
  let data: unknown = own.data;
  for (const step of definition.versions.slice(start)) {
    const lifted = step.schema.safeParse((step.upcast as (d: unknown) => unknown)(data));
    if (!lifted.success)
      throw new InvalidEventError(
        `${eventType} v${step.version - 1} does not upcast to v${step.version}: ${describe(lifted.error)}`,
      );
    data = lifted.data;
  }
  return { ...envelope.data, data } as EventOf<EventTypeOf<C>, C>;
}

/** Builds the envelope of a new event, validating its data against the newest version. */
export function createEvent<T extends EventTypeOf<C>, C extends EventCatalog = typeof EVENT_CATALOG>(
  type: T,
  data: EventData<C, T>,
  meta: { source: ServiceName; aggregateId: string; correlationId: string; causationId?: string | null; catalog?: C },
): EventOf<T, C> {
  const catalog = (meta.catalog ?? EVENT_CATALOG) as EventCatalog;
  const definition = catalog[type];
  if (!definition) throw new InvalidEventError(`unknown event type ${type}`);
  const newest = latest(definition);
  const parsed = newest.schema.safeParse(data);
  if (!parsed.success) throw new InvalidEventError(`invalid ${type} data: ${describe(parsed.error)}`);
  return {
    eventId: randomUUID(),
    eventType: type,
    eventVersion: newest.version,
    occurredAt: new Date().toISOString(),
    source: meta.source,
    aggregateId: meta.aggregateId,
    correlationId: meta.correlationId,
    causationId: meta.causationId ?? null,
    data: parsed.data as EventData<C, T>,
  } as EventOf<T, C>;
}
