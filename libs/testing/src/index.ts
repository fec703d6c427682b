export { startTestApp, type TestApp } from './app.ts';
export { describeAppBasics } from './app-basics.ts';
export { describeOpenApi, documentedRoutes, servedRoutes } from './openapi.ts';
export {
  adminQuery,
  createTestDatabase,
  LEDGER,
  migrationsDir,
  type TestDatabase,
  type TestSchema,
  uniqueId,
} from './database.ts';
export { actualShape, compareShapes, declaredShape, type SchemaShape, type TableShape } from './drift.ts';
export {
  chooseInfra,
  infraFromEnv,
  type InfraSources,
  kafkaVersion,
  NO_INFRA_MESSAGE,
  type TestInfra,
  WORKSPACE_ROOT,
} from './infra.ts';
export {
  type ControllableKafka,
  createTopics,
  type ReadMessage,
  startControllableKafka,
  testKafka,
  TopicReader,
} from './kafka.ts';
export { LedgerDatabase, ledgerClient } from './ledger.ts';
export { waitFor } from './wait.ts';
export { TcpProxy } from './tcp-proxy.ts';
export { type ScratchPostgres, startScratchPostgres } from './scratch-postgres.ts';
export { startTestStack, type TestStack } from './stack.ts';
export { startTestIssuer, type TestIssuer, type TokenClaims } from './issuer.ts';
export { type ReceivedMail, startTestSmtpServer, type TestSmtpServer } from './smtp.ts';
export { countJsonSpans, countProtobufSpans, type OtlpSink, type OtlpSinkCounts, startOtlpSink } from './otlp-sink.ts';
export { TestEventPublisher } from './publisher.ts';
export { type OpenEventStream, openEventStream, type ReadServerSentEvent } from './event-stream.ts';
