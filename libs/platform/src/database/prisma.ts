import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { listenForLostConnections } from './lost-connections.ts';

/** The Postgres schema named by a `?schema=` connection URL. */
export function schemaOf(databaseUrl: string): string {
  const schema = new URL(databaseUrl).searchParams.get('schema');
  if (!schema) throw new Error('DATABASE_URL must name its schema (?schema=<name>)');
  return schema;
}

/**
 * node-postgres settings for an app's DATABASE_URL: `?schema=` becomes the connection's search_path.
 * Without one, `fallbackSchema` is used if given (as Prisma falls back to `public`), else it throws.
 */
export function pgConfig(databaseUrl: string, fallbackSchema?: string): { connectionString: string; options: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? fallbackSchema ?? schemaOf(databaseUrl);
  url.searchParams.delete('schema');
  // UTC sessions: Prisma's pg adapter sends and reads timestamps as UTC without an offset, so a
  // server in another time zone would shift what is stored and compared with now().
  return {
    connectionString: url.toString(),
    options: `-c search_path="${schema.replaceAll('"', '""')}" -c TimeZone=UTC`,
  };
}

/** How many connections an app's pool holds, and how long a caller waits for one before failing. */
export interface PoolOptions {
  /** At most this many connections (node-postgres' `max`); 10 by default. */
  size?: number;
  /** A checkout waits at most this long (`connectionTimeoutMillis`), then fails; 5 s by default. */
  timeoutMs?: number;
  /**
   * Told when the server drops one of the pool's connections (a restart, pg_terminate_backend): the
   * pool discards it and opens another on demand, and a query that was on it fails on its own.
   */
  onConnectionLost?: (error: Error) => void;
}

/**
 * Prisma's pg driver adapter for an app's own schema; the pool is sized for one service instance.
 * The pool is made here so that every connection of it is listened to from the start: a dropped
 * connection never goes unheard, which would end the process (see lost-connections.ts). The
 * adapter ends the pool when Prisma disconnects.
 */
export function prismaAdapter(databaseUrl: string, options: PoolOptions = {}): PrismaPg {
  const onLost = options.onConnectionLost ?? (() => undefined);
  const pool = new pg.Pool({
    ...pgConfig(databaseUrl),
    max: options.size ?? 10,
    connectionTimeoutMillis: options.timeoutMs ?? 5_000,
  });
  return new PrismaPg(listenForLostConnections(pool, onLost), {
    schema: schemaOf(databaseUrl),
    disposeExternalPool: true,
    // A connection lost in a transaction: the adapter listens on it, and tells us.
    onConnectionError: onLost,
  });
}
