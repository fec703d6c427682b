import { PrismaPg } from '@prisma/adapter-pg';

/** The Postgres schema named by a `?schema=` connection URL. */
export function schemaOf(databaseUrl: string): string {
  const schema = new URL(databaseUrl).searchParams.get('schema');
  if (!schema) throw new Error('DATABASE_URL must name its schema (?schema=<name>)');
  return schema;
}

/** node-postgres settings for an app's DATABASE_URL: `?schema=` becomes the connection's search_path. */
export function pgConfig(databaseUrl: string): { connectionString: string; options: string } {
  const url = new URL(databaseUrl);
  const schema = schemaOf(databaseUrl);
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), options: `-c search_path="${schema.replaceAll('"', '""')}"` };
}

/** Prisma's pg driver adapter for an app's own schema; the pool is sized for one service instance. */
export function prismaAdapter(databaseUrl: string, poolSize = 10): PrismaPg {
  const url = new URL(databaseUrl);
  const schema = schemaOf(databaseUrl);
  url.searchParams.delete('schema');
  return new PrismaPg(
    {
      connectionString: url.toString(),
      max: poolSize,
      connectionTimeoutMillis: 5_000,
      options: `-c search_path="${schema}"`,
    },
    { schema },
  );
}
