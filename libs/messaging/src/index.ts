export { createKafka, KafkaConnection, KafkaModule } from './kafka.module.ts';
