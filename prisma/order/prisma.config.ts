// Prisma CLI settings of the order app (schema `orders`). DATABASE_URL (for migrate) is the
// schema's owner, orders_migrator, and names its schema (?schema=orders); `prisma generate` needs none.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
