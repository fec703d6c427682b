import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { applyMigrations, MigrationError, PRISMA_MIGRATE_LOCK_KEY } from '../src/migrations.ts';
import { migratorDatabaseUrl, provisionSchemas, schemaRoles } from '../src/provision.ts';

// One database for this file; every test gets a schema (and its roles) of its own in it; migrations
// run as the schema's owner, the migrator, as everywhere.
const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const database = `commerce_${id}`;
let adminUrl: string;
let dbAdminUrl: string;
const roles: string[] = [];

async function query<R extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

let schema: string;
let url: string;
let dir: string;

function migration(name: string, sql: string): string {
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(join(dir, name, 'migration.sql'), sql);
  return sql;
}

function rows() {
  return query<{
    id: string;
    checksum: string;
    migration_name: string;
    logs: string | null;
    finished_at: Date | null;
    rolled_back_at: Date | null;
    applied_steps_count: number;
  }>(dbAdminUrl, `SELECT * FROM "${schema}"."_prisma_migrations" ORDER BY started_at, migration_name`);
}

beforeAll(async () => {
  adminUrl = inject('infra').postgresUrl;
  dbAdminUrl = Object.assign(new URL(adminUrl), { pathname: `/${database}` }).toString();
});

beforeEach(async (context) => {
  schema = `s${roles.length}`;
  const owner = schemaRoles(schema, () => randomBytes(8).toString('hex'), `${id}_${schema}`);
  roles.push(owner.role, owner.migrator.role);
  await provisionSchemas(adminUrl, database, [owner]);
  url = migratorDatabaseUrl(adminUrl, database, owner);
  dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  writeFileSync(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
  context.onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
});

afterAll(async () => {
  await query(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  for (const role of roles) await query(adminUrl, `DROP ROLE IF EXISTS "${role}"`);
});

describe('applyMigrations', () => {
  it('applies pending migrations in name order and records them as prisma migrate deploy does', async () => {
    const second = migration(
      '20260102000000_add_price',
      'ALTER TABLE "product" ADD COLUMN "price" INTEGER NOT NULL DEFAULT 0;\n',
    );
    const first = migration(
      '20260101000000_init',
      'CREATE TABLE "product" ("sku" TEXT PRIMARY KEY);\nCREATE INDEX "product_sku_idx" ON "product"("sku");\n',
    );

    const result = await applyMigrations({ databaseUrl: url, migrationsDir: dir });

    expect(result).toEqual({ applied: ['20260101000000_init', '20260102000000_add_price'], edited: [] });
    const recorded = await rows();
    expect(recorded.map((r) => r.migration_name)).toEqual(['20260101000000_init', '20260102000000_add_price']);
    for (const [row, sql] of [
      [recorded[0], first],
      [recorded[1], second],
    ] as const) {
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row).toMatchObject({ logs: null, rolled_back_at: null, applied_steps_count: 1 });
    }
    const columns = await query(
      dbAdminUrl,
      `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'product' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns.map((c) => c.column_name)).toEqual(['sku', 'price']);
  });

  it('creates _prisma_migrations with exactly the columns Prisma uses', async () => {
    migration('20260101000000_init', 'SELECT 1;');
    await applyMigrations({ databaseUrl: url, migrationsDir: dir });
    const columns = await query(
      dbAdminUrl,
      `
      SELECT column_name, data_type, character_maximum_length AS length, is_nullable, column_default
      FROM information_schema.columns WHERE table_schema = $1 AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      [schema],
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', length: 36, is_nullable: 'NO', column_default: null },
      { column_name: 'checksum', data_type: 'character varying', length: 64, is_nullable: 'NO', column_default: null },
      {
        column_name: 'finished_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'migration_name',
        data_type: 'character varying',
        length: 255,
        is_nullable: 'NO',
        column_default: null,
      },
      { column_name: 'logs', data_type: 'text', length: null, is_nullable: 'YES', column_default: null },
      {
        column_name: 'rolled_back_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'started_at',
        data_type: 'timestamp with time zone',
        length: null,
        is_nullable: 'NO',
        column_default: 'now()',
      },
      {
        column_name: 'applied_steps_count',
        data_type: 'integer',
        length: null,
        is_nullable: 'NO',
        column_default: '0',
      },
    ]);
  });

  it('applies nothing the second time, and reports a migration edited after it was applied', async () => {
    migration('20260101000000_init', 'CREATE TABLE "a" ("id" INT);');
    await applyMigrations({ databaseUrl: url, migrationsDir: dir });
    migration('20260101000000_init', 'CREATE TABLE "a" ("id" BIGINT);');
    expect(await applyMigrations({ databaseUrl: url, migrationsDir: dir })).toEqual({
      applied: [],
      edited: ['20260101000000_init'],
    });
    expect(await rows()).toHaveLength(1);
  });

  it('runs a file as one transaction: a failure keeps none of it, is recorded with its logs, and stops later runs', async () => {
    migration('20260101000000_ok', 'CREATE TABLE "kept" ("id" INT);');
    migration('20260102000000_broken', 'CREATE TABLE "half" ("id" INT);\nINSERT INTO "missing_table" VALUES (1);\n');
    migration('20260103000000_after', 'CREATE TABLE "never" ("id" INT);');

    const failure = await applyMigrations({ databaseUrl: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).code).toBe('P3018');
    expect((failure as Error).message).toContain('relation "missing_table" does not exist');

    const recorded = await rows();
    expect(recorded.map((r) => [r.migration_name, r.finished_at === null, r.applied_steps_count])).toEqual([
      ['20260101000000_ok', false, 1],
      ['20260102000000_broken', true, 0],
    ]);
    expect(recorded[1].logs).toContain('Database error code: 42P01');
    expect(recorded[1].logs).toContain('relation "missing_table" does not exist');
    const tables = await query(
      dbAdminUrl,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['_prisma_migrations', 'kept']);

    const again = await applyMigrations({ databaseUrl: url, migrationsDir: dir }).catch((e: unknown) => e);
    expect((again as MigrationError).code).toBe('P3009');
    expect((again as Error).message).toContain('`20260102000000_broken` migration');
    expect(await rows()).toHaveLength(2);
  });

  it('lets two concurrent runs apply each migration exactly once', async () => {
    for (let i = 1; i <= 5; i++)
      migration(`2026010${i}000000_m${i}`, `CREATE TABLE "t${i}" ("id" INT);\nSELECT pg_sleep(0.05);`);
    const [a, b] = await Promise.all([
      applyMigrations({ databaseUrl: url, migrationsDir: dir }),
      applyMigrations({ databaseUrl: url, migrationsDir: dir }),
    ]);
    expect([...a.applied, ...b.applied].sort()).toEqual([
      '20260101000000_m1',
      '20260102000000_m2',
      '20260103000000_m3',
      '20260104000000_m4',
      '20260105000000_m5',
    ]);
    expect(a.applied.length === 0 || b.applied.length === 0).toBe(true);
    expect((await rows()).every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
    expect(await rows()).toHaveLength(5);
  });

  it('waits for the advisory lock prisma migrate deploy takes, and gives up after its timeout', async () => {
    migration('20260101000000_init', 'CREATE TABLE "x" ("id" INT);');
    const holder = new pg.Client({ connectionString: dbAdminUrl });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
      const blocked = await applyMigrations({ databaseUrl: url, migrationsDir: dir, lockTimeoutMs: 300 }).catch(
        (e: unknown) => e,
      );
      expect((blocked as MigrationError).code).toBe('P1002');
      expect(await query(dbAdminUrl, `SELECT to_regclass($1) AS t`, [`"${schema}"."x"`])).toEqual([{ t: null }]);
      await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
      expect((await applyMigrations({ databaseUrl: url, migrationsDir: dir })).applied).toEqual([
        '20260101000000_init',
      ]);
    } finally {
      await holder.end();
    }
  });

  it('fails clearly on a migration folder without migration.sql', async () => {
    mkdirSync(join(dir, '20260101000000_empty'));
    await expect(applyMigrations({ databaseUrl: url, migrationsDir: dir })).rejects.toThrow(/P3015/);
    expect(readFileSync(join(dir, 'migration_lock.toml'), 'utf8')).toContain('postgresql');
  });
});
