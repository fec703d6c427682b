// The faults of the chaos drill, each as what it does to the running stack and how the drill
// knows that what it hit answers again. Commands that restart shared infrastructure are
// configurable (DRILL_BROKER_START, DRILL_PG_RESTART), so a machine whose broker or PostgreSQL
// is run differently can say how; the defaults suit `npm run stack` on tools/infra and a
// Debian-packaged PostgreSQL cluster (pg_ctlcluster).
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { SERVICES, type ServiceName } from '@commerce/contracts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

/** A shell command, its output prefixed; rejects on a non-zero exit. */
export function shell(command: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => console.log(`[chaos]   | ${line}`));
    child.stdout.on('data', out);
    child.stderr.on('data', out);
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`\`${command}\` exited ${code}`))));
  });
}

// ---------------------------------------------------------------------------------------------
// The stack's control endpoint (tools/stack/stack.ts)

export interface StackApps {
  apps: Record<ServiceName, { pid: number; startedAt: number; restarts: number }>;
  proxy: { app: ServiceName; cut: string | null; database: number; kafka: number } | null;
}

export class StackControl {
  constructor(readonly url: string) {}

  async apps(): Promise<StackApps> {
    const response = await fetch(`${this.url}/apps`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`${this.url}/apps answered ${response.status}`);
    return (await response.json()) as StackApps;
  }

  async cut(mode: string): Promise<void> {
    const response = await fetch(`${this.url}/proxy/cut?mode=${mode}`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`cut: ${response.status} ${await response.text()}`);
  }

  async restore(): Promise<void> {
    const response = await fetch(`${this.url}/proxy/restore`, { method: 'POST' });
    if (response.status !== 204) throw new Error(`restore: ${response.status} ${await response.text()}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Probes

export async function appReady(service: ServiceName): Promise<boolean> {
  const url = `http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}/health/ready`;
  return fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/**
 * GET <prefix>/health (every component: Kafka, the relay, the consumer group) is 200; where an app
 * has no such route (an older build: another status than 200 or 503), its /health/ready.
 */
export async function appHealthy(service: ServiceName): Promise<boolean> {
  const base = `http://127.0.0.1:${SERVICES[service].port}/${SERVICES[service].prefix}`;
  const status = await fetch(`${base}/health`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.status,
    () => 0,
  );
  if (status === 200 || status === 503 || status === 0) return status === 200;
  return appReady(service);
}

/** A DescribeCluster that lists a broker, through a client of its own that does not retry. */
export async function brokerAnswers(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'chaos-drill-probe',
    brokers,
    connectionTimeout: 1_000,
    requestTimeout: 2_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length > 0;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function databaseAnswers(adminUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 1_000 });
  client.on('error', () => undefined);
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

// ---------------------------------------------------------------------------------------------
// Faults

/** The pid of the process that listens on TCP `port` on this machine (ss -ltnp). */
export async function listenerPid(port: number): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]);
  const pid = /pid=(\d+)/.exec(stdout)?.[1];
  return pid ? Number(pid) : undefined;
}

export async function killBroker(brokers: string[]): Promise<number> {
  const port = Number(brokers[0]!.split(':').at(-1));
  const pid = await listenerPid(port);
  if (!pid) throw new Error(`nothing listens on the broker's port ${port}`);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** DRILL_BROKER_START, else tools/infra/infra up --kafka-only (the same KAFKA_PORT, COMMERCE_INFRA_STATE). */
export function startBroker(): Promise<void> {
  return shell(process.env.DRILL_BROKER_START ?? `'${join(root, 'tools/infra/infra')}' up --kafka-only`, {
    ...process.env,
    KAFKA_START_TIMEOUT: process.env.KAFKA_START_TIMEOUT ?? '300',
  });
}

/**
 * DRILL_PG_RESTART, else `pg_ctlcluster <version> <cluster> restart -m immediate` for the cluster
 * that pg_lsclusters lists on the admin URL's port.
 */
export async function pgRestartCommand(adminUrl: string): Promise<string> {
  if (process.env.DRILL_PG_RESTART) return process.env.DRILL_PG_RESTART;
  const port = new URL(adminUrl).port || '5432';
  const { stdout } = await run('pg_lsclusters', ['--no-header']).catch(() => ({ stdout: '' }));
  const cluster = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[2] === port);
  if (!cluster)
    throw new Error(
      `no cluster of pg_lsclusters listens on port ${port}: set DRILL_PG_RESTART to the command that restarts the stack's PostgreSQL in immediate mode`,
    );
  return `pg_ctlcluster --skip-systemctl-redirect ${cluster[0]} ${cluster[1]} restart -m immediate`;
}

/** pg_terminate_backend of every connection of the app's role to the stack's database; how many. */
export async function terminateConnections(adminUrl: string, database: string, service: ServiceName) {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ terminated: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS terminated
         FROM pg_stat_activity WHERE usename = $1 AND datname = $2`,
      [`${SERVICES[service].schema}_app`, database],
    );
    return rows[0]!.terminated;
  } finally {
    await client.end().catch(() => undefined);
  }
}
