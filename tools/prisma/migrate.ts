// Applies an app's migrations as `prisma migrate deploy` would, for machines where Prisma's schema
// engine cannot be downloaded:  DATABASE_URL=postgresql://orders_migrator:…@…?schema=orders npm run migrate -- order
// (the schema owner's URL: the app's own role has no right to change its schema)
// (In containers the real `prisma migrate deploy` runs; both keep _prisma_migrations the same way.)
import { join } from 'node:path';
import { applyMigrations } from '@commerce/tools-database';

const app = process.argv[2];
const databaseUrl = process.env.DATABASE_URL;
if (!app || !databaseUrl) {
  console.error(
    "usage: DATABASE_URL=<the schema owner's (<schema>_migrator) URL with ?schema=> npm run migrate -- <app>",
  );
  process.exit(2);
}
const migrationsDir = join(import.meta.dirname, '../../prisma', app, 'migrations');
try {
  const { applied, edited } = await applyMigrations({ databaseUrl, migrationsDir });
  for (const name of edited) console.warn(`[migrate] ${app}: ${name} changed after it was applied (not re-applied)`);
  console.log(
    applied.length ? `[migrate] ${app}: applied ${applied.join(', ')}` : `[migrate] ${app}: no pending migrations`,
  );
} catch (error) {
  console.error(`[migrate] ${app}: ${(error as Error).message}`);
  process.exit(1);
}
