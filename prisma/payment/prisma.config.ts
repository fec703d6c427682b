// Prisma CLI settings of the payment app (schema `payments`). DATABASE_URL (for migrate) is the
// schema's owner, payments_migrator, and names its schema (?schema=payments); `prisma generate` needs none.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
