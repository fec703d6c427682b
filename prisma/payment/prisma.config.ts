// Prisma CLI settings of the payment app (schema `payments`). DATABASE_URL is the app's own role and
// names its schema (?schema=payments); `prisma generate` needs none.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
