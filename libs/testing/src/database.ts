import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { applyMigrations, provisionSchemas, type SchemaOwner, serviceDatabaseUrl } from '@commerce/platform';
import { SERVICES, type ServiceName } from '@commerce/contracts';
import pg from 'pg';
import { inject } from 'vitest';
import { WORKSPACE_ROOT } from './infra.ts';

/** A database of one test file's own: each app's schema and login role, migrated, dropped at the end. */
export interface TestDatabase {
  name: string;
  /** The app's DATABASE_URL: its own role, its own schema. */
  urlFor(service: ServiceName): string;
  /** A superuser URL of this database, for assertions that look across schemas. */
  adminUrl: string;
  drop(): Promise<void>;
}

/** A short id unique to this test file's run, usable in database, role, topic and group names. */
export function uniqueId(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

export function migrationsDir(service: ServiceName): string {
  return join(WORKSPACE_ROOT, 'prisma', service, 'migrations');
}

/** Creates a fresh database with the given apps' schemas and roles and applies their migrations. */
export async function createTestDatabase(
  services: ServiceName[],
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const { postgresUrl } = inject('infra');
  const id = uniqueId();
  const name = `commerce_${id}`;
  const owners = new Map<ServiceName, SchemaOwner>(
    services.map((service) => [
      service,
      {
        schema: SERVICES[service].schema,
        role: `${id}_${SERVICES[service].schema}`,
        password: randomBytes(12).toString('hex'),
      },
    ]),
  );
  await provisionSchemas(postgresUrl, name, [...owners.values()]);
  const urlFor = (service: ServiceName) => {
    const owner = owners.get(service);
    if (!owner) throw new Error(`${service} is not part of this test database`);
    return serviceDatabaseUrl(postgresUrl, name, owner);
  };
  if (options.migrate !== false) {
    for (const service of services)
      await applyMigrations({ databaseUrl: urlFor(service), migrationsDir: migrationsDir(service) });
  }
  const adminUrl = new URL(postgresUrl);
  adminUrl.pathname = `/${name}`;
  return {
    name,
    urlFor,
    adminUrl: adminUrl.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(name)} WITH (FORCE)`);
        for (const owner of owners.values())
          await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(owner.role)}`);
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
