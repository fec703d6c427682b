import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import type { TestInfra } from './infra.ts';

// Test resources are named t<base-36 time, 8 characters until 2059><4 hex run tag><4 hex>… (older
// ones: 6 hex); those older than this belong to no live run.
const STALE_AFTER_MS = 3600_000;
const NAME = /^(?:commerce_)?t([0-9a-z]{8})([0-9a-f]{8}|[0-9a-f]{6})(?:[._].*)?$/;

function isStale(name: string, now = Date.now()): boolean {
  const match = NAME.exec(name);
  return !!match && now - parseInt(match[1], 36) > STALE_AFTER_MS;
}

/** Drops what earlier test runs left behind (killed before their teardown): databases, roles, topics. */
export async function sweepStaleTestResources(infra: TestInfra): Promise<void> {
  const admin = new pg.Client({ connectionString: infra.postgresUrl });
  await admin.connect();
  try {
    const databases = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'commerce\\_t%'`,
    );
    for (const { datname } of databases.rows.filter((d) => isStale(d.datname))) {
      await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(datname)} WITH (FORCE)`);
    }
    const roles = await admin.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname LIKE 't%\\_%'`);
    for (const { rolname } of roles.rows.filter((r) => isStale(r.rolname))) {
      await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(rolname)}`).catch(() => undefined);
    }
  } finally {
    await admin.end();
  }
  const kafka = new Kafka({ clientId: 'test-sweep', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const stale = (await kafkaAdmin.listTopics()).filter((t) => isStale(t));
    if (stale.length) await kafkaAdmin.deleteTopics({ topics: stale });
    const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId).filter((g) => isStale(g));
    if (groups.length) await kafkaAdmin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await kafkaAdmin.disconnect();
  }
}

/** Whether `name` was made by the run tagged `tag` that started at `since` (its own resources). */
function isOwnRun(name: string, tag: string, since: number): boolean {
  const match = NAME.exec(name);
  return !!match && match[2]!.length === 8 && parseInt(match[1]!, 36) >= since && match[2]!.startsWith(tag);
}

/**
 * Deletes the topics and consumer groups this run made, at its end: a broker keeping every run's
 * partitions restarts ever more slowly (the outage drill restarts it).
 */
export async function sweepOwnTestTopics(infra: TestInfra, tag: string, since: number): Promise<number> {
  const kafka = new Kafka({ clientId: 'test-sweep', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  try {
    const own = (await kafkaAdmin.listTopics()).filter((t) => isOwnRun(t, tag, since));
    if (own.length) await kafkaAdmin.deleteTopics({ topics: own });
    const groups = (await kafkaAdmin.listGroups()).groups.map((g) => g.groupId).filter((g) => isOwnRun(g, tag, since));
    if (groups.length) await kafkaAdmin.deleteGroups(groups).catch(() => undefined);
    return own.length;
  } finally {
    await kafkaAdmin.disconnect();
  }
}

export { isOwnRun as isOwnRunTestResource, isStale as isStaleTestResource };
