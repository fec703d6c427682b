import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import { pgConfig } from '@commerce/platform';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/database.ts';

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

  it('cannot create databases or roles', async () => {
    await expect(as(db.urlFor('order'), 'CREATE ROLE intruder')).rejects.toThrow(/permission denied/);
    await expect(as(db.urlFor('order'), 'CREATE DATABASE intruder')).rejects.toThrow(/permission denied/);
  });
});
