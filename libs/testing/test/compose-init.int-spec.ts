import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import { applyMigrations, provisionSchemas, schemaRoles } from '@commerce/tools-database';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../src/database.ts';
import { WORKSPACE_ROOT } from '../src/infra.ts';
import { type ScratchPostgres, startScratchPostgres } from '../src/scratch-postgres.ts';

// docker compose's postgres runs infra/postgres/init-schemas.sh on a new volume; npm run stack and
// the tests provision with tools/database. Both must leave the same owners and rights. The script
// makes the roles under their production names, so it runs on a scratch cluster of this file's own.
const run = promisify(execFile);
const SCHEMAS = SERVICE_NAMES.map((s) => SERVICES[s].schema);
const PASSWORD_VARIABLES = ['AUTH', 'ORDER', 'PAYMENT', 'INVENTORY', 'NOTIFICATION'];

let scratch: ScratchPostgres;

function urlOf(database: string, role = 'postgres', password = ''): string {
  return `postgresql://${role}${password ? `:${password}` : ''}@127.0.0.1:${scratch.port}/${database}`;
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** Every owner and right in the apps' schemas, and on the database, as comparable lines. */
async function rights(database: string): Promise<string[]> {
  const rows = await query<{ line: string }>(
    urlOf(database),
    `WITH objects AS (
       SELECT 'schema ' || nspname AS name, nspowner AS owner, coalesce(nspacl, acldefault('n'::"char", nspowner)) AS acl
         FROM pg_namespace WHERE nspname = ANY($1)
       UNION ALL
       SELECT c.relkind::text || ' ' || n.nspname || '.' || c.relname, c.relowner,
              coalesce(c.relacl, acldefault(CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1)
       UNION ALL
       SELECT 'function ' || n.nspname || '.' || p.proname, p.proowner, coalesce(p.proacl, acldefault('f'::"char", p.proowner))
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
       UNION ALL
       SELECT 'default ' || d.defaclobjtype::text || ' in ' || n.nspname, d.defaclrole, d.defaclacl
         FROM pg_default_acl d JOIN pg_namespace n ON n.oid = d.defaclnamespace WHERE n.nspname = ANY($1)
       UNION ALL
       SELECT 'database', datdba, datacl FROM pg_database WHERE datname = current_database()
     )
     SELECT o.name || ' owner=' || pg_get_userbyid(o.owner) || ' ' ||
            coalesce((SELECT string_agg(g, ' ' ORDER BY g) FROM (
              SELECT CASE e.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END || ':' ||
                     string_agg(e.privilege_type, ',' ORDER BY e.privilege_type) AS g
                FROM aclexplode(o.acl) e GROUP BY e.grantee) grants), '') AS line
       FROM objects o ORDER BY 1`,
    [SCHEMAS],
  );
  return rows.map((r) => r.line);
}

const PASSWORDS = Object.fromEntries(
  PASSWORD_VARIABLES.flatMap((v) => [
    [`${v}_DB_PASSWORD`, `${v.toLowerCase()}-app-secret`],
    [`${v}_MIGRATOR_DB_PASSWORD`, `${v.toLowerCase()}-migrator-secret`],
  ]),
);

/** Runs the init script as the postgres image does on a new volume, on database `database`. */
async function initSchemas(database: string): Promise<void> {
  await run('sh', [join(WORKSPACE_ROOT, 'infra/postgres/init-schemas.sh')], {
    env: {
      PATH: process.env.PATH,
      PGHOST: '127.0.0.1',
      PGPORT: String(scratch.port),
      POSTGRES_DB: database,
      POSTGRES_USER: 'postgres',
      ...PASSWORDS,
    },
  });
}

/** What the <app>-migrate services do: each schema's migrations, as its migrator (or another login). */
async function migrateAll(
  database: string,
  login: (schema: string, i: number) => readonly [string, string] = (schema, i) => migratorLogin(schema, i),
) {
  for (const [i, service] of SERVICE_NAMES.entries()) {
    const { schema } = SERVICES[service];
    const [role, password] = login(schema, i);
    await applyMigrations({
      databaseUrl: `${urlOf(database, role, password)}?schema=${schema}`,
      migrationsDir: migrationsDir(service),
    });
  }
}

const migratorLogin = (schema: string, i: number) =>
  [`${schema}_migrator`, PASSWORDS[`${PASSWORD_VARIABLES[i]}_MIGRATOR_DB_PASSWORD`]!] as const;

beforeAll(async () => {
  scratch = await startScratchPostgres();
  await query(scratch.url, 'CREATE DATABASE commerce');
  await initSchemas('commerce');
  await migrateAll('commerce');
}, 120_000);

afterAll(async () => {
  await scratch?.close();
});

describe("compose's postgres init (infra/postgres/init-schemas.sh)", () => {
  it('leaves the same owners and rights as tools/database provisioning, once migrated', async () => {
    const owners = SERVICE_NAMES.map((s) => schemaRoles(SERVICES[s].schema, () => 'provisioned'));
    await provisionSchemas(scratch.url, 'provisioned', owners);
    for (const [i, service] of SERVICE_NAMES.entries())
      await applyMigrations({
        databaseUrl: `${urlOf('provisioned', owners[i]!.migrator.role, 'provisioned')}?schema=${owners[i]!.schema}`,
        migrationsDir: migrationsDir(service),
      });
    const compose = await rights('commerce');
    expect(compose.length).toBeGreaterThan(50);
    expect(compose).toContain(
      'r inventory.products owner=inventory_migrator inventory_app:DELETE,INSERT,SELECT,UPDATE inventory_migrator:DELETE,INSERT,REFERENCES,SELECT,TRIGGER,TRUNCATE,UPDATE',
    );
    expect(await rights('provisioned')).toEqual(compose);
  });

  it('can run again, and moves a volume of the one-role layout (the app role owning its schema) over', async () => {
    await initSchemas('commerce');
    const before = await rights('commerce');

    // The older layout on a database of its own: each app role owned its schema and migrated it.
    await query(scratch.url, 'CREATE DATABASE older');
    for (const schema of SCHEMAS) {
      await query(scratch.url, `GRANT CONNECT, TEMPORARY ON DATABASE older TO ${schema}_app`);
      await query(urlOf('older'), `CREATE SCHEMA ${schema} AUTHORIZATION ${schema}_app`);
    }
    await migrateAll('older', (schema, i) => [`${schema}_app`, PASSWORDS[`${PASSWORD_VARIABLES[i]}_DB_PASSWORD`]!]);
    await initSchemas('older');
    await migrateAll('older'); // the migrator now finds every migration applied

    expect(await rights('older')).toEqual(before);
  });

  it('gives each app role data rights only', async () => {
    const app = urlOf('commerce', 'inventory_app', 'inventory-app-secret');
    await query(
      app,
      "INSERT INTO outbox (event_id, topic, message_key, payload) VALUES (gen_random_uuid(), 't', 'k', '{}')",
    );
    await expect(query(app, 'ALTER TABLE products DROP CONSTRAINT products_stock_not_negative')).rejects.toThrow(
      /must be owner of table products/,
    );
    await expect(query(app, 'CREATE TABLE inventory.sneaky (id int)')).rejects.toThrow(/permission denied/);
    await expect(query(app, 'SELECT * FROM _prisma_migrations')).rejects.toThrow(/permission denied/);
    await expect(query(app, 'SELECT * FROM orders.outbox')).rejects.toThrow(/permission denied for schema orders/);
  });
});
