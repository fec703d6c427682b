import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migratorDatabaseUrl, provisionSchemas, schemaRoles, serviceDatabaseUrl } from '../src/provision.ts';

const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const database = `commerce_${id}`;
const owner = schemaRoles('shop', () => randomBytes(8).toString('hex'), `${id}_shop`);
let adminUrl: string;
let dbAdminUrl: string;

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url.replace(/\?schema=.*$/, '') });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

const ownerOf = (relation: string) =>
  query<{ owner: string }>(
    dbAdminUrl,
    `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = '${relation}'::regclass`,
  );

beforeAll(async () => {
  adminUrl = inject('infra').postgresUrl;
  dbAdminUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
});

afterAll(async () => {
  await query(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  for (const role of [owner.role, owner.migrator.role]) await query(adminUrl, `DROP ROLE IF EXISTS "${role}"`);
});

describe('provisionSchemas', () => {
  it('moves a database of the one-role layout over: the migrator owns what the app role owned, the app keeps DML only', async () => {
    // The older layout: the app's role owned its schema and made its tables itself.
    await query(adminUrl, `CREATE DATABASE "${database}"`);
    await query(adminUrl, `CREATE ROLE "${owner.role}" LOGIN PASSWORD '${owner.password}'`);
    await query(adminUrl, `GRANT CONNECT, TEMPORARY ON DATABASE "${database}" TO "${owner.role}"`);
    await query(dbAdminUrl, `CREATE SCHEMA shop AUTHORIZATION "${owner.role}"`);
    await query(
      dbAdminUrl,
      `SET ROLE "${owner.role}"; CREATE TABLE shop.items (id bigserial PRIMARY KEY, n int CHECK (n >= 0))`,
    );

    await provisionSchemas(adminUrl, database, [owner]);
    await provisionSchemas(adminUrl, database, [owner]); // idempotent

    expect(await ownerOf('shop.items')).toEqual([{ owner: owner.migrator.role }]);
    expect(await ownerOf('shop.items_id_seq')).toEqual([{ owner: owner.migrator.role }]);
    const app = serviceDatabaseUrl(adminUrl, database, owner);
    expect(await query(app, 'INSERT INTO shop.items (n) VALUES (1) RETURNING id')).toEqual([{ id: '1' }]);
    await expect(query(app, 'ALTER TABLE shop.items DROP CONSTRAINT items_n_check')).rejects.toThrow(/must be owner/);
    await expect(query(app, 'TRUNCATE shop.items')).rejects.toThrow(/permission denied/);
    await expect(query(app, 'CREATE TEMP TABLE scratch (id int)')).rejects.toThrow(/temporary tables/);
  });

  it('covers what later migrations create, and nothing of _prisma_migrations', async () => {
    await query(
      migratorDatabaseUrl(adminUrl, database, owner),
      'CREATE TABLE shop.later (id bigserial PRIMARY KEY, note text); CREATE FUNCTION shop.twice(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 * 2 $$',
    );
    const app = serviceDatabaseUrl(adminUrl, database, owner);
    expect(
      await query(app, "INSERT INTO shop.later (note) VALUES ('x') RETURNING id, shop.twice(21) AS twice"),
    ).toEqual([{ id: '1', twice: 42 }]);
    await expect(query(app, 'DROP TABLE shop.later')).rejects.toThrow(/must be owner/);
    await expect(query(app, 'SELECT * FROM shop._prisma_migrations')).rejects.toThrow(/permission denied/);
    await expect(query(app, 'CREATE TABLE shop.sneaky (id int)')).rejects.toThrow(/permission denied for schema shop/);
  });
});
