import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';

/** Where the tests' real Postgres and Kafka are, and how they were found. */
export interface TestInfra {
  /** A superuser URL of the server: test files create their own databases and roles with it. */
  postgresUrl: string;
  kafkaBrokers: string[];
  source: 'env' | 'testcontainers' | 'local';
}

export const WORKSPACE_ROOT = join(import.meta.dirname, '../../..');

/** The Kafka version the whole project uses: tools/infra, docker-compose.yml and Testcontainers. */
export function kafkaVersion(): string {
  return readFileSync(join(WORKSPACE_ROOT, 'tools/infra/kafka.version'), 'utf8').trim();
}

export const NO_INFRA_MESSAGE = [
  'No test infrastructure could be had. Tests need a real PostgreSQL and a real Kafka; give them one of:',
  '  - DATABASE_URL (a superuser URL) and KAFKA_BROKERS (host:port,...) in the environment;',
  '  - a running Docker engine (Testcontainers starts both);',
  '  - Java 17+, Maven and PostgreSQL installed: `npm run infra up` starts them (tests try this themselves).',
].join('\n');

/** Resolves when a TCP connection to host:port succeeds, rejects after `timeoutMs`. */
export function tcpAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function brokersOf(value: string): string[] {
  return value
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** Explicit infrastructure from the environment, if both variables are set. */
export function infraFromEnv(env: NodeJS.ProcessEnv = process.env): TestInfra | undefined {
  if (!env.DATABASE_URL || !env.KAFKA_BROKERS) return undefined;
  return { postgresUrl: env.DATABASE_URL, kafkaBrokers: brokersOf(env.KAFKA_BROKERS), source: 'env' };
}

export const LOCAL_POSTGRES_URL = process.env.LOCAL_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const LOCAL_KAFKA_BROKERS = [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];

function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * The local infra of tools/infra: used if it answers, started if Java and Maven are there.
 * Returns undefined when it can be neither found nor started.
 */
export async function localInfra(): Promise<TestInfra | undefined> {
  const infra: TestInfra = { postgresUrl: LOCAL_POSTGRES_URL, kafkaBrokers: LOCAL_KAFKA_BROKERS, source: 'local' };
  const [host, port] = LOCAL_KAFKA_BROKERS[0].split(':');
  if ((await tcpAnswers(host, Number(port))) && (await postgresAnswers(LOCAL_POSTGRES_URL))) return infra;
  if (!hasCommand('java') || !hasCommand('mvn')) return undefined;
  try {
    execFileSync(join(WORKSPACE_ROOT, 'tools/infra/infra'), ['up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    return undefined;
  }
  return (await postgresAnswers(LOCAL_POSTGRES_URL)) ? infra : undefined;
}

/** The ways of getting infrastructure, in the order they are tried. */
export interface InfraSources {
  fromEnv(): TestInfra | undefined;
  dockerAnswers(): Promise<boolean>;
  startContainers(): Promise<{ infra: TestInfra; stop(): Promise<void> }>;
  localInfra(): Promise<TestInfra | undefined>;
}

/**
 * Explicit DATABASE_URL/KAFKA_BROKERS first; else Testcontainers when a Docker engine answers
 * (unless TESTCONTAINERS=off); else the local infra. Without any, fails with NO_INFRA_MESSAGE.
 */
export async function chooseInfra(
  sources: InfraSources,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ infra: TestInfra; stop?: () => Promise<void> }> {
  const explicit = sources.fromEnv();
  if (explicit) return { infra: explicit };
  if (env.TESTCONTAINERS !== 'off' && (await sources.dockerAnswers())) return sources.startContainers();
  const local = await sources.localInfra();
  if (local) return { infra: local };
  throw new Error(NO_INFRA_MESSAGE);
}
