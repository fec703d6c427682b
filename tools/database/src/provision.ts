import pg from 'pg';

/** One app's place in a database: its schema and the login role that alone may use it. */
export interface SchemaOwner {
  schema: string;
  role: string;
  password: string;
}

/**
 * Creates each app's login role and schema in `database` (idempotent): the role owns its schema,
 * searches it first, and has no rights on the other apps' schemas or on `public`.
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
      const role = admin.escapeIdentifier(owner.role);
      const password = admin.escapeLiteral(owner.password);
      const found = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [owner.role]);
      await admin.query(
        found.rowCount === 0
          ? `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${password}`
          : `ALTER ROLE ${role} LOGIN PASSWORD ${password}`,
      );
      await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${db} TO ${role}`);
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
      const role = inDb.escapeIdentifier(owner.role);
      const schema = inDb.escapeIdentifier(owner.schema);
      await inDb.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role}`);
      await inDb.query(`ALTER SCHEMA ${schema} OWNER TO ${role}`);
      await inDb.query(`REVOKE ALL ON SCHEMA ${schema} FROM PUBLIC`);
      await inDb.query(`ALTER ROLE ${role} IN DATABASE ${inDb.escapeIdentifier(database)} SET search_path = ${schema}`);
    }
  } finally {
    await inDb.end();
  }
}

/** The connection URL an app uses: its own role, the database, and `?schema=` naming its schema. */
export function serviceDatabaseUrl(adminUrl: string, database: string, owner: SchemaOwner): string {
  const url = new URL(adminUrl);
  url.username = encodeURIComponent(owner.role);
  url.password = encodeURIComponent(owner.password);
  url.pathname = `/${database}`;
  url.search = '';
  url.searchParams.set('schema', owner.schema);
  return url.toString();
}
