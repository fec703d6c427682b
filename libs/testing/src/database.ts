import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SERVICES, type ServiceName } from '@commerce/contracts';
import {
  applyMigrations,
  migratorDatabaseUrl,
  provisionSchemas,
  type SchemaOwner,
  schemaRoles,
  serviceDatabaseUrl,
} from '@commerce/tools-database';
import pg from 'pg';
import { inject } from 'vitest';
import { WORKSPACE_ROOT } from './infra.ts';

/**
 * A database of one test file's own: each app's schema with its two login roles as in production
 * (the migrator owning the schema, the app's runtime role with data rights only), migrated, dropped
 * at the end.
 */
export interface TestDatabase {
  name: string;
  /** The app's DATABASE_URL: its runtime role (no DDL), its own schema. */
  urlFor(service: ServiceName | 'ledger'): string;
  /** The URL its migrations run with: the schema's owner. */
  migratorUrlFor(service: ServiceName | 'ledger'): string;
  /** A superuser URL of this database, for assertions that look across schemas. */
  adminUrl: string;
  drop(): Promise<void>;
}

/** A short id unique to this test file's run, usable in database, role, topic and group names. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${runTag()}${randomBytes(2).toString('hex')}`;
}

/** Four hex digits naming this test run (from the global setup), so its teardown finds its own topics. */
function runTag(): string {
  try {
    return inject('runTag') ?? randomBytes(2).toString('hex');
  } catch {
    return randomBytes(2).toString('hex'); // outside a test worker: no run to belong to
  }
}

export function migrationsDir(service: ServiceName): string {
  return join(WORKSPACE_ROOT, 'prisma', service, 'migrations');
}

/** The tests' own `ledger` schema (libs/testing/prisma): outbox, inbox and ledger entries. */
export const LEDGER = {
  schema: 'ledger',
  migrationsDir: join(WORKSPACE_ROOT, 'libs/testing/prisma/migrations'),
} as const;

/** An app's schema, or the tests' ledger. */
export type TestSchema = ServiceName | 'ledger';

const specOf = (s: TestSchema) =>
  s === 'ledger' ? LEDGER : { schema: SERVICES[s].schema, migrationsDir: migrationsDir(s) };

/**
 * Creates a fresh database with the given apps' schemas and roles and applies their migrations, on
 * the tests' server or, with `postgresUrl`, on another (a scratch cluster a test may restart).
 */
export async function createTestDatabase(
  schemas: TestSchema[],
  options: { migrate?: boolean; postgresUrl?: string } = {},
): Promise<TestDatabase> {
  const postgresUrl = options.postgresUrl ?? inject('infra').postgresUrl;
  const id = uniqueId();
  const name = `commerce_${id}`;
  const password = () => randomBytes(12).toString('hex');
  const owners = new Map<TestSchema, SchemaOwner>(
    schemas.map((s) => [s, schemaRoles(specOf(s).schema, password, `${id}_${specOf(s).schema}`)]),
  );
  await provisionSchemas(postgresUrl, name, [...owners.values()]);
  const ownerOf = (s: TestSchema) => {
    const owner = owners.get(s);
    if (!owner) throw new Error(`${s} is not part of this test database`);
    return owner;
  };
  const urlFor = (s: TestSchema) => serviceDatabaseUrl(postgresUrl, name, ownerOf(s));
  const migratorUrlFor = (s: TestSchema) => migratorDatabaseUrl(postgresUrl, name, ownerOf(s));
  if (options.migrate !== false) {
    for (const s of schemas)
      await applyMigrations({ databaseUrl: migratorUrlFor(s), migrationsDir: specOf(s).migrationsDir });
  }
  const adminUrl = new URL(postgresUrl);
  adminUrl.pathname = `/${name}`;
  return {
    name,
    urlFor,
    migratorUrlFor,
    adminUrl: adminUrl.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        for (const owner of owners.values())
          for (const role of [owner.role, owner.migrator.role])
            await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(role)}`);
      } finally {
        await admin.end();
      }
    },
  };
}

/** Runs one query as a superuser of the test database (for assertions, never for app behaviour). */
export async function adminQuery<R extends pg.QueryResultRow>(
  db: TestDatabase,
  sql: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}
