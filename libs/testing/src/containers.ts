import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { Kafka, logLevel } from 'kafkajs';
import {
  GenericContainer,
  getContainerRuntimeClient,
  type InspectResult,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import { kafkaVersion, type TestInfra } from './infra.ts';
import { waitFor } from './wait.ts';

const KAFKA_PORT = 9092;
const STARTER = '/tmp/testcontainers_start.sh';

/**
 * The `apache/kafka` image (the broker of tools/infra and docker-compose.yml) as a single KRaft
 * node. The advertised listener needs the mapped port, known only once the container runs, so the
 * container waits for a starter script that is copied in then (as Testcontainers' own Kafka does).
 */
class ApacheKafkaContainer extends GenericContainer {
  constructor(version: string) {
    super(`apache/kafka:${version}`);
    this.withExposedPorts(KAFKA_PORT)
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${KAFKA_PORT},BROKER://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
        KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9094',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        KAFKA_NUM_PARTITIONS: '3',
      })
      .withEntrypoint(['sh'])
      .withCommand(['-c', `echo 'Waiting for starter'; while [ ! -f ${STARTER} ]; do sleep 0.1; done; exec ${STARTER}`])
      .withWaitStrategy(Wait.forLogMessage('Waiting for starter'))
      .withStartupTimeout(180_000);
  }

  protected override async containerStarted(container: StartedTestContainer, inspect: InspectResult): Promise<void> {
    const advertised = `PLAINTEXT://${container.getHost()}:${container.getMappedPort(KAFKA_PORT)},BROKER://${inspect.hostname}:9093`;
    const script = `#!/bin/bash\nexport KAFKA_ADVERTISED_LISTENERS=${advertised}\nexec /etc/kafka/docker/run\n`;
    await container.copyContentToContainer([{ content: script, target: STARTER, mode: 0o755 }]);
  }
}

/** True when a Docker engine answers (Testcontainers can start containers). */
export async function dockerAnswers(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Starts a Kafka container of the project's version and waits until it answers. */
export async function startKafkaContainer(): Promise<StartedTestContainer> {
  const kafka = await new ApacheKafkaContainer(kafkaVersion()).start();
  const brokers = [`${kafka.getHost()}:${kafka.getMappedPort(KAFKA_PORT)}`];
  const admin = new Kafka({ clientId: 'testcontainers-wait', brokers, logLevel: logLevel.NOTHING }).admin();
  await waitFor(
    async () => {
      await admin.connect();
      await admin.describeCluster();
      return true;
    },
    { timeoutMs: 120_000, what: 'the Kafka container to answer' },
  );
  await admin.disconnect();
  return kafka;
}

/** Starts PostgreSQL and Kafka (the project's version) in containers; `stop` removes them. */
export async function startContainers(): Promise<{ infra: TestInfra; stop(): Promise<void> }> {
  const [postgres, kafka] = await Promise.all([
    new PostgreSqlContainer('postgres:18-alpine').withUsername('postgres').withPassword('postgres').start(),
    startKafkaContainer(),
  ]);
  const url = new URL(postgres.getConnectionUri());
  url.pathname = '/postgres';
  return {
    infra: {
      postgresUrl: url.toString(),
      kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(KAFKA_PORT)}`],
      source: 'testcontainers',
    },
    stop: async () => {
      await Promise.all([postgres.stop(), kafka.stop()]);
    },
  };
}
