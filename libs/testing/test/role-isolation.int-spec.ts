import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import { pgConfig } from '@commerce/platform';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, type TestDatabase } from '../src/database.ts';

async function as(url: string, sql: string) {
  const client = new pg.Client(pgConfig(url));
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('each app reaches Postgres as its own role, confined to its own schema', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase([...SERVICE_NAMES]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(SERVICE_NAMES)('%s reads its own tables and finds them first on its search path', async (service) => {
    const { schema } = SERVICES[service];
    const own = await as(db.urlFor(service), 'SELECT current_schema() AS schema, count(*)::int AS n FROM outbox');
    expect(own.rows[0]).toEqual({ schema, n: 0 });
  });

  it.each(SERVICE_NAMES)('%s is refused on every other schema and on public', async (service) => {
    for (const other of SERVICE_NAMES.filter((s) => s !== service)) {
      await expect(as(db.urlFor(service), `SELECT * FROM "${SERVICES[other].schema}".outbox`)).rejects.toThrow(
        `permission denied for schema ${SERVICES[other].schema}`,
      );
    }
    await expect(as(db.urlFor(service), 'CREATE TABLE public.sneaky (id int)')).rejects.toThrow(
      /permission denied for schema public/,
    );
  });

  // The runtime role has DML on its tables and nothing more: a stolen app credential cannot drop the
  // stock CHECK, a table, or make one (the migration role owns the schema and its objects).
  it('the app role cannot change its own schema: no ALTER, DROP or CREATE', async () => {
    const inventory = db.urlFor('inventory');
    await expect(as(inventory, 'ALTER TABLE products DROP CONSTRAINT products_stock_not_negative')).rejects.toThrow(
      /must be owner of table products/,
    );
    await expect(as(inventory, 'DROP TABLE reservation_items')).rejects.toThrow(
      /must be owner of table reservation_items/,
    );
    await expect(as(inventory, 'CREATE TABLE inventory.sneaky (id int)')).rejects.toThrow(
      /permission denied for schema inventory/,
    );
    await expect(as(inventory, 'CREATE TEMP TABLE sneaky (id int)')).rejects.toThrow(
      /permission denied to create temporary tables/,
    );
    await expect(as(inventory, 'TRUNCATE products')).rejects.toThrow(/permission denied for table products/);
    await expect(as(inventory, 'ALTER SCHEMA inventory RENAME TO stock')).rejects.toThrow(
      /must be owner of schema inventory/,
    );
    // Nor rewrite which migrations ran: the next deploy would skip or re-apply them.
    await expect(as(inventory, 'DELETE FROM _prisma_migrations')).rejects.toThrow(
      /permission denied for table _prisma_migrations/,
    );
    const check = await adminQuery<{ n: number }>(
      db,
      "SELECT count(*)::int AS n FROM pg_constraint WHERE conname = 'products_stock_not_negative'",
    );
    expect(check).toEqual([{ n: 1 }]);
  });

  it.each(SERVICE_NAMES)('%s cannot alter, drop or create a table in its schema either', async (service) => {
    const { schema } = SERVICES[service];
    const url = db.urlFor(service);
    await expect(as(url, 'ALTER TABLE outbox DROP CONSTRAINT outbox_pkey')).rejects.toThrow(
      /must be owner of table outbox/,
    );
    await expect(as(url, 'DROP TABLE inbox')).rejects.toThrow(/must be owner of table inbox/);
    await expect(as(url, `CREATE TABLE "${schema}".sneaky (id int)`)).rejects.toThrow(
      `permission denied for schema ${schema}`,
    );
  });

  it.each(SERVICE_NAMES)('%s writes its own tables and takes their sequences (the outbox id)', async (service) => {
    const url = db.urlFor(service);
    const client = new pg.Client(pgConfig(url));
    await client.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO outbox (event_id, topic, message_key, payload) VALUES (gen_random_uuid(), 'probe', 'k', '{}') RETURNING id`,
      );
      expect(Number(rows[0]!.id)).toBeGreaterThan(0);
      await client.query('DELETE FROM outbox');
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
  });

  it.each(SERVICE_NAMES)('%s migrations run as the schema owner, a role of its own', async (service) => {
    const { schema } = SERVICES[service];
    const migrator = new URL(db.migratorUrlFor(service)).username;
    const app = new URL(db.urlFor(service)).username;
    expect(migrator).not.toBe(app);
    const owners = await adminQuery<{ owner: string; objects: string }>(
      db,
      `SELECT pg_get_userbyid(c.relowner) AS owner, string_agg(c.relname, ',') AS objects
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 GROUP BY 1
        UNION ALL SELECT pg_get_userbyid(nspowner), 'schema' FROM pg_namespace WHERE nspname = $1`,
      [schema],
    );
    expect(owners.map((o) => o.owner)).toEqual([migrator, migrator]);
    // The migrator of one app is as closed out of the other schemas as its app role.
    const other = SERVICE_NAMES.find((s) => s !== service)!;
    await expect(as(db.migratorUrlFor(service), `SELECT * FROM "${SERVICES[other].schema}".outbox`)).rejects.toThrow(
      `permission denied for schema ${SERVICES[other].schema}`,
    );
  });

  it('cannot create databases or roles', async () => {
    await expect(as(db.urlFor('order'), 'CREATE ROLE intruder')).rejects.toThrow(/permission denied/);
    await expect(as(db.urlFor('order'), 'CREATE DATABASE intruder')).rejects.toThrow(/permission denied/);
  });
});
