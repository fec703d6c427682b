export { createKafka, KafkaConnection, KafkaModule, KafkaTopics } from './kafka.module.ts';
export { deadLetterTopicOf, ensureTopics, topicOf } from './topics.ts';
