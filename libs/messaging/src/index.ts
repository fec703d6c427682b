export {
  type BoundHandler,
  type ConsumerDatabase,
  type ConsumerLogger,
  type ConsumerState,
  EventConsumer,
  type EventConsumerOptions,
} from './consumer/event-consumer.ts';
export {
  type EventHandler,
  handledEventType,
  HandlesEvent,
  type HandlerTransaction,
} from './consumer/event-handler.ts';
export { EventConsumerService, MessagingModule, type MessagingModuleOptions } from './consumer/messaging.module.ts';
export { type DeadLetter, deadLetterTopics, readDeadLetters, redrive } from './dead-letters/dead-letter-admin.ts';
export { DeadLetterPublisher, type DeadLetterReason, DLQ_HEADERS } from './dead-letters/dead-letter-publisher.ts';
export { createKafka, KafkaConnection, KafkaModule, KafkaTopics } from './kafka.module.ts';
export { deadLetterTopicOf, ensureTopics, topicOf } from './topics.ts';
