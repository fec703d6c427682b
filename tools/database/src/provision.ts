import pg from 'pg';
import { CREATE_MIGRATIONS_TABLE } from './migrations.ts';

/** A PostgreSQL login: role name and password. */
export interface Login {
  role: string;
  password: string;
}

/**
 * One app's place in a database: its schema, the runtime login the app connects as (`role`,
 * `password`: data only, no DDL) and the migration login that owns the schema and applies its
 * migrations (`migrator`).
 */
export interface SchemaOwner extends Login {
  schema: string;
  migrator: Login;
}

/** Login names for a schema: `<prefix>_app` for the app, `<prefix>_migrator` for its migrations. */
export function schemaRoles(schema: string, passwords: () => string, prefix = schema): SchemaOwner {
  return {
    schema,
    role: `${prefix}_app`,
    password: passwords(),
    migrator: { role: `${prefix}_migrator`, password: passwords() },
  };
}

// What the app role may do on what the migrator creates in its schema, now and in later migrations:
// read and write rows, draw sequence values, call functions. No TRUNCATE, REFERENCES or TRIGGER.
const APP_GRANTS = [
  ['SELECT, INSERT, UPDATE, DELETE', 'TABLES'],
  ['USAGE, SELECT', 'SEQUENCES'],
  ['EXECUTE', 'FUNCTIONS'],
] as const;

/**
 * Creates each app's two login roles and its schema in `database` (idempotent, and it moves a
 * database of the older one-role layout over): the migrator owns the schema and every object in it;
 * the app role has USAGE on the schema and DML on its tables (default privileges cover tables later
 * migrations create), but no CREATE, no ownership and no temporary tables, so no DDL; neither role
 * has rights on the other apps' schemas or on `public`. `_prisma_migrations` is made here, so the
 * app role never gets rights on it.
 */
export async function provisionSchemas(adminUrl: string, database: string, owners: SchemaOwner[]): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const db = admin.escapeIdentifier(database);
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${db}`);
    await admin.query(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`);
    for (const owner of owners) {
      for (const login of [owner, owner.migrator]) {
        const role = admin.escapeIdentifier(login.role);
        const password = admin.escapeLiteral(login.password);
        const found = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login.role]);
        await admin.query(
          found.rowCount === 0
            ? `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`
            : `ALTER ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`,
        );
        await admin.query(`REVOKE ALL ON DATABASE ${db} FROM ${role}`);
        await admin.query(`GRANT CONNECT ON DATABASE ${db} TO ${role}`);
      }
    }
  } finally {
    await admin.end();
  }

  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const inDb = new pg.Client({ connectionString: url.toString() });
  await inDb.connect();
  try {
    await inDb.query('REVOKE ALL ON SCHEMA public FROM PUBLIC');
    for (const owner of owners) {
      const app = inDb.escapeIdentifier(owner.role);
      const migrator = inDb.escapeIdentifier(owner.migrator.role);
      const schema = inDb.escapeIdentifier(owner.schema);
      await inDb.query('BEGIN');
      await inDb.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${migrator}`);
      // A database of the one-role layout: what the app role owned (its schema's tables,
      // sequences, functions) passes to the migrator.
      await inDb.query(`REASSIGN OWNED BY ${app} TO ${migrator}`);
      await inDb.query(`ALTER SCHEMA ${schema} OWNER TO ${migrator}`);
      await inDb.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC, ${app}`);
      await inDb.query(`GRANT USAGE ON SCHEMA ${schema} TO ${app}`);
      // Made by the migrator before its default privileges exist, then closed to the app role.
      await inDb.query(`SET LOCAL ROLE ${migrator}`);
      await inDb.query(`SET LOCAL search_path = ${schema}`);
      await inDb.query(CREATE_MIGRATIONS_TABLE);
      await inDb.query('RESET ROLE');
      await inDb.query('RESET search_path');
      for (const [privileges, objects] of APP_GRANTS) {
        await inDb.query(
          `ALTER DEFAULT PRIVILEGES FOR ROLE ${migrator} IN SCHEMA ${schema} GRANT ${privileges} ON ${objects} TO ${app}`,
        );
        await inDb.query(`REVOKE ALL ON ALL ${objects} IN SCHEMA ${schema} FROM ${app}`);
        await inDb.query(`GRANT ${privileges} ON ALL ${objects} IN SCHEMA ${schema} TO ${app}`);
      }
      await inDb.query(`REVOKE ALL ON TABLE ${schema}."_prisma_migrations" FROM ${app}`);
      for (const role of [app, migrator])
        await inDb.query(
          `ALTER ROLE ${role} IN DATABASE ${inDb.escapeIdentifier(database)} SET search_path = ${schema}`,
        );
      await inDb.query('COMMIT');
    }
  } catch (error) {
    await inDb.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await inDb.end();
  }
}

function urlAs(adminUrl: string, database: string, schema: string, login: Login): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(login.role);
  url.password = encodeURIComponent(login.password);
  url.pathname = `/${database}`;
  url.search = '';
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** The connection URL an app uses: its runtime role, the database, and `?schema=` naming its schema. */
export function serviceDatabaseUrl(adminUrl: string, database: string, owner: SchemaOwner): string {
  return urlAs(adminUrl, database, owner.schema, owner);
}

/** The connection URL migrations run with: the schema's owner, the database, and `?schema=`. */
export function migratorDatabaseUrl(adminUrl: string, database: string, owner: SchemaOwner): string {
  return urlAs(adminUrl, database, owner.schema, owner.migrator);
}
