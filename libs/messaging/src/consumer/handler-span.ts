import { EVENT_HEADERS, type Envelope } from '@commerce/contracts';
import { inSpan, SpanKind, tracingEnabled } from '@commerce/platform';
import type { BoundHandler, HandlerTransaction, MessageOrigin } from './event-handler.ts';

/**
 * Runs a handler in its span when tracing is on: a child of the context the publisher stored with
 * the event (the `traceparent` header), linked to the relay's publish span (`relay-traceparent`),
 * so the trace that began with a request goes on through every hop. The outbox rows the handler
 * writes carry this span in turn. With tracing off it only runs the handler.
 */
export function handleInSpan(
  handler: BoundHandler,
  event: Envelope,
  tx: HandlerTransaction,
  origin: MessageOrigin,
): Promise<void> {
  if (!tracingEnabled()) return handler.handle(event, tx, origin);
  return inSpan(
    `${origin.topic} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: origin.headers[EVENT_HEADERS.traceparent] ?? 'root',
      links: [origin.headers[EVENT_HEADERS.relayTraceparent]],
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': origin.topic,
        'messaging.destination.partition.id': String(origin.partition),
        'messaging.kafka.offset': Number(origin.offset),
        'messaging.message.id': event.eventId,
        'messaging.consumer.group.name': handler.group,
        'commerce.handler': handler.name,
      },
    },
    () => handler.handle(event, tx, origin),
  );
}
