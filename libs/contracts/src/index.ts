export {
  deadLetterTopic,
  type Envelope,
  envelopeSchema,
  EVENT_HEADERS,
  EVENT_TYPES,
  type EventType,
} from './envelope.ts';
export { SERVICE_NAMES, type ServiceName, SERVICES } from './services.ts';
