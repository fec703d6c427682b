export { type ConsumerState, EventConsumer, type EventConsumerOptions } from './consumer/event-consumer.ts';
export { type BoundHandler, type HandlerTransaction, type MessageOrigin } from './consumer/event-handler.ts';
export { ConsumerMetrics, type PartitionLag, type PipelineMetrics } from './consumer/consumer-metrics.ts';
export { type ConsumerDatabase, type ConsumerLogger, EventPipeline } from './consumer/event-pipeline.ts';
export {
  type DeadLetterCount,
  DeadLetterPublisher,
  type DeadLetterReason,
  DLQ_HEADERS,
} from './dead-letters/dead-letter-publisher.ts';
export { cleanInbox, recordInInbox } from './inbox/inbox.ts';
export { MessagingModule, type MessagingModuleOptions } from './messaging.module.ts';
export { EventContext } from './transport/event-context.ts';
export { EventPattern } from './transport/event-pattern.ts';
export { KafkaEventTransport, type KafkaEventTransportOptions } from './transport/kafka-event-transport.ts';
