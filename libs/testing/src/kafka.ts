import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, type IHeaders, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { getContainerRuntimeClient } from 'testcontainers';
import { inject } from 'vitest';
import { WORKSPACE_ROOT } from './infra.ts';
import { uniqueId } from './database.ts';
import { waitFor } from './wait.ts';

/** A kafkajs client on the test infra's brokers. */
export function testKafka(brokers = inject('infra').kafkaBrokers): Kafka {
  // Short retries, as the apps' clients have: a stopped broker shows as an error within seconds.
  return new Kafka({
    clientId: uniqueId('test-'),
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

/**
 * Creates topics (and their .dlq) for a test, with `partitions` each, and returns once every
 * partition has a leader in the metadata: right after creation a busy broker may still answer
 * "does not host this topic-partition", so creation is retried and the metadata waited for.
 */
export async function createTopics(kafka: Kafka, topics: string[], partitions = 3): Promise<void> {
  const all = topics.flatMap((t) => [t, `${t}.dlq`]);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      () =>
        admin
          .createTopics({ waitForLeaders: true, topics: all.map((topic) => ({ topic, numPartitions: partitions })) })
          .then(() => true),
      { what: 'the test topics to be created', timeoutMs: 30_000 },
    );
    await waitFor(
      async () => {
        const { topics: found } = await admin.fetchTopicMetadata({ topics: all });
        return found.length === all.length && found.every((t) => t.partitions.every((p) => p.leader >= 0));
      },
      { what: 'leaders of the test topics', timeoutMs: 30_000 },
    );
  } finally {
    await admin.disconnect();
  }
}

/** A message as a test reads it back. */
export interface ReadMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]),
  );
}

/** Reads topics from the beginning in a group of its own and keeps every message, in arrival order. */
export class TopicReader {
  readonly messages: ReadMessage[] = [];
  private consumer?: Consumer;
  private readonly groupId = `${uniqueId()}.reader`;
  private stopped = false;
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  async start(): Promise<this> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 100,
      // A rebuilt reader joins the same group: the member it replaces must expire (the broker's
      // minimum, 6 s) well before the 15 s join watchdog, or every rebuild waits on the last one.
      sessionTimeout: 6_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 10_000,
    });
    this.consumer = consumer;
    // kafkajs' own restart after a crash can die silently if the broker is not back yet: rebuild then.
    consumer.on(consumer.events.CRASH, () => {
      clearTimeout(this.watchdog);
      this.watchdog = setTimeout(() => void this.rebuild(), 5_000);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => clearTimeout(this.watchdog));
    // Nor may joining take forever (a coordinator still loading after a broker restart).
    this.watchdog = setTimeout(() => void this.rebuild(), 15_000);
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({
        topic,
        partition,
        message,
      }: {
        topic: string;
        partition: number;
        message: KafkaMessage;
      }) => {
        this.messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: decodeHeaders(message.headers),
        });
      },
    });
    return this;
  }

  /** Waits until at least `count` messages (matching `filter`) have arrived. */
  async waitFor(
    count: number,
    options: { timeoutMs?: number; filter?: (m: ReadMessage) => boolean } = {},
  ): Promise<ReadMessage[]> {
    const pick = () => this.messages.filter(options.filter ?? (() => true));
    return waitFor(
      () => {
        const got = pick();
        return got.length >= count && got;
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        what: `${count} messages on ${this.topics.join(', ')} (have ${pick().length})`,
      },
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.watchdog);
    await this.consumer?.disconnect();
  }

  private async rebuild(): Promise<void> {
    if (this.stopped) return;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.start().catch(() => {
      this.watchdog = setTimeout(() => void this.rebuild(), 2_000);
    });
  }
}

/** A Kafka broker of one test's own, which the test may stop and start again. */
export interface ControllableKafka {
  brokers: string[];
  /** The broker stops answering (the process stops, or its container is paused). */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP port nothing listens on at this moment, on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/**
 * Starts a broker for one test. With Testcontainers infra it is a container that stop() pauses;
 * otherwise it is a second tools/infra broker (same jars, its own ports and data) that stop() stops.
 */
export async function startControllableKafka(): Promise<ControllableKafka> {
  if (inject('infra').source === 'testcontainers') return pausableContainer();
  const state = mkdtempSync(join(tmpdir(), 'kafka-'));
  const infra = join(WORKSPACE_ROOT, 'tools/infra/infra');
  let env: NodeJS.ProcessEnv = {};
  let port = 0;
  const run = (...args: string[]) => execFileSync(infra, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  // A free port is only known free until it is closed: another process may take it before the
  // broker binds it. Then the broker cannot start, and fresh ports are tried.
  for (let attempt = 1; ; attempt++) {
    const controllerPort = await freePort();
    port = await freePort();
    env = {
      ...process.env,
      COMMERCE_INFRA_STATE: state,
      KAFKA_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
    try {
      run('up', '--kafka-only');
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
      run('down', '--kafka-only');
    }
  }
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: async () => {
      run('down', '--kafka-only');
    },
    start: async () => {
      run('up', '--kafka-only');
    },
    close: async () => {
      run('down', '--kafka-only');
      rmSync(state, { recursive: true, force: true });
    },
  };
}

async function pausableContainer(): Promise<ControllableKafka> {
  const { startKafkaContainer } = await import('./containers.ts');
  const container = await startKafkaContainer();
  const client = await getContainerRuntimeClient();
  const docker = client.container.getById(container.getId());
  return {
    brokers: [`${container.getHost()}:${container.getMappedPort(9092)}`],
    stop: async () => {
      await docker.pause();
    },
    start: async () => {
      await docker.unpause();
    },
    close: async () => {
      await container.stop();
    },
  };
}
