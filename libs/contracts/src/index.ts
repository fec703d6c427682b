export { EVENT_FLOWS, type EventFlow } from './choreography.ts';
export {
  createEvent,
  defineEvent,
  EVENT_CATALOG,
  type EventCatalog,
  type EventData,
  type EventDefinition,
  type EventOf,
  type EventTypeOf,
  type EventVersion,
  InvalidEventError,
  readEvent,
} from './catalog.ts';
export {
  deadLetterTopic,
  type Envelope,
  envelopeSchema,
  EVENT_HEADERS,
  EVENT_TYPES,
  headersOfEnvelope,
  type EventType,
} from './envelope.ts';
export * from './events.ts';
export { SERVICE_NAMES, type ServiceName, SERVICES } from './services.ts';
