import { z } from 'zod';
import { SERVICE_NAMES } from './services.ts';

/** Every event type of the catalog; each is also the name of its Kafka topic. */
export const EVENT_TYPES = [
  'user.created',
  'session.ended',
  'product.upserted',
  'order.placed',
  'inventory.reserved',
  'inventory.rejected',
  'inventory.released',
  'payment.authorized',
  'payment.failed',
  'payment.captured',
  'payment.voided',
  'order.confirmed',
  'order.cancelled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** The dead-letter topic of a topic. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** The JSON envelope every event travels in (docs/contract.md, Events); `data` is checked per type. */
export const envelopeSchema = z.object({
  eventId: z.uuid(),
  // Any dotted name here; whether a consumer knows the type is its catalog's business.
  eventType: z.string().regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/, 'a dotted event type such as order.placed'),
  eventVersion: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.enum(SERVICE_NAMES as [string, ...string[]]),
  aggregateId: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).nullable(),
  data: z.unknown(),
});

export type Envelope<D = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: D };

/**
 * Kafka header names that mirror the envelope, so a consumer can route without parsing the value;
 * and, when the publisher traces, the W3C `traceparent` of the work that stored the event (the
 * consumer's parent) and `relay-traceparent`, the outbox relay's publish span (the consumer's link).
 */
export const EVENT_HEADERS = {
  eventId: 'event-id',
  eventType: 'event-type',
  eventVersion: 'event-version',
  correlationId: 'correlation-id',
  traceparent: 'traceparent',
  relayTraceparent: 'relay-traceparent',
} as const;

/** The Kafka headers that travel with an event, mirroring its envelope. */
export function headersOfEnvelope(envelope: {
  eventId: string;
  eventType: string;
  eventVersion: number;
  correlationId: string;
}): Record<string, string> {
  return {
    [EVENT_HEADERS.eventId]: envelope.eventId,
    [EVENT_HEADERS.eventType]: envelope.eventType,
    [EVENT_HEADERS.eventVersion]: String(envelope.eventVersion),
    [EVENT_HEADERS.correlationId]: envelope.correlationId,
  };
}
