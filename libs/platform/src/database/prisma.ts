import { PrismaPg } from '@prisma/adapter-pg';

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
  return { connectionString: url.toString(), options: `-c search_path="${schema.replaceAll('"', '""')}"` };
}

/** Prisma's pg driver adapter for an app's own schema; the pool is sized for one service instance. */
export function prismaAdapter(databaseUrl: string, poolSize = 10): PrismaPg {
  return new PrismaPg(
    { ...pgConfig(databaseUrl), max: poolSize, connectionTimeoutMillis: 5_000 },
    { schema: schemaOf(databaseUrl) },
  );
}
