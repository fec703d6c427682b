import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** The advisory lock key `prisma migrate deploy` takes on PostgreSQL; sharing it makes the two exclusive. */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** One `<timestamp>_<name>/migration.sql` folder of a Prisma migrations directory. */
export interface MigrationFile {
  name: string;
  script: string;
  /** SHA-256 of the file, hex — what Prisma stores in `_prisma_migrations.checksum`. */
  checksum: string;
}

export interface AppliedMigrations {
  /** Migrations this run applied, in order. */
  applied: string[];
  /** Migrations recorded as applied whose file has changed since (Prisma does not re-apply them either). */
  edited: string[];
}

/** Prisma's error codes, so an operator can look them up as for `prisma migrate deploy`. */
export class MigrationError extends Error {
  readonly code: 'P3009' | 'P3018' | 'P1002' | 'P3015';

  constructor(code: MigrationError['code'], message: string) {
    super(`${code}: ${message}`);
    this.name = 'MigrationError';
    this.code = code;
  }
}

/**
 * node-postgres settings for a migration run: the schema Prisma migrates is the URL's `?schema=`
 * (`public` without one), so it becomes the connection's search_path and leaves the URL.
 */
function connectionOf(databaseUrl: string): pg.ClientConfig {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), options: `-c search_path="${schema.replaceAll('"', '""')}"` };
}

/** The table exactly as Prisma's schema engine creates it for PostgreSQL (in the search_path's schema). */
export const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** Reads the migrations directory as Prisma does: one folder per migration, in name order. */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  return readdirSync(migrationsDir)
    .filter((entry) => statSync(join(migrationsDir, entry)).isDirectory())
    .sort()
    .map((name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(file)) throw new MigrationError('P3015', `Could not find the migration file at ${file}.`);
      const script = readFileSync(file, 'utf8');
      return { name, script, checksum: createHash('sha256').update(script, 'utf8').digest('hex') };
    });
}

function formatLogs(name: string, error: pg.DatabaseError | Error): string {
  const db = error as Partial<pg.DatabaseError>;
  const lines = [`Migration name: ${name}`, ''];
  if (db.code) lines.push(`Database error code: ${db.code}`, '');
  lines.push('Database error:', `${db.severity ?? 'ERROR'}: ${error.message}`);
  if (db.position) lines.push('', `Position: ${db.position}`);
  if (db.detail) lines.push('', `DETAIL: ${db.detail}`);
  return lines.join('\n');
}

/**
 * Applies the folder's pending migrations the way `prisma migrate deploy` does, keeping
 * `_prisma_migrations` identical: under advisory lock 72707369, each file as one implicit
 * transaction, a started row first, `applied_steps_count` and `finished_at` on success, the error
 * in `logs` with `finished_at` NULL on failure — after which nothing more applies until resolved.
 */
export async function applyMigrations(options: {
  databaseUrl: string;
  migrationsDir: string;
  lockTimeoutMs?: number;
}): Promise<AppliedMigrations> {
  const migrations = readMigrations(options.migrationsDir);
  const client = new pg.Client(connectionOf(options.databaseUrl));
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 10_000);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      const { rows } = await client.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        started_at: Date;
      }>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at, started_at FROM "_prisma_migrations" ORDER BY started_at',
      );

      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        throw new MigrationError(
          'P3009',
          'migrate found failed migrations in the target database, new migrations will not be applied. ' +
            `The \`${failed.migration_name}\` migration started at ${failed.started_at.toISOString()} failed.`,
        );
      }
      const live = rows.filter((r) => r.rolled_back_at === null);
      const edited = migrations
        .filter((m) => live.some((r) => r.migration_name === m.name && r.checksum !== m.checksum))
        .map((m) => m.name);
      const pending = migrations.filter((m) => !live.some((r) => r.migration_name === m.name));

      const applied: string[] = [];
      for (const migration of pending) {
        const id = randomUUID();
        await client.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, started_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 0)',
          [id, migration.checksum, migration.name],
        );
        try {
          // No parameters: the simple query protocol runs the whole file as one implicit transaction.
          await client.query(migration.script);
        } catch (error) {
          await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [
            id,
            formatLogs(migration.name, error as Error),
          ]);
          throw new MigrationError(
            'P3018',
            `A migration failed to apply. New migrations cannot be applied before the error is recovered from.\n\n${formatLogs(migration.name, error as Error)}`,
          );
        }
        await client.query(
          'UPDATE "_prisma_migrations" SET applied_steps_count = applied_steps_count + 1 WHERE id = $1',
          [id],
        );
        await client.query('UPDATE "_prisma_migrations" SET finished_at = now() WHERE id = $1', [id]);
        applied.push(migration.name);
      }
      return { applied, edited };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end();
  }
}

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  await client.query(`SET statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
  } catch (error) {
    throw new MigrationError(
      'P1002',
      `Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(${PRISMA_MIGRATE_LOCK_KEY})). Timeout: ${timeoutMs}ms. (${(error as Error).message})`,
    );
  } finally {
    await client.query('RESET statement_timeout');
  }
}
