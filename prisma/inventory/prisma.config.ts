// Prisma CLI settings of the inventory app (schema `inventory`). DATABASE_URL (for migrate) is the
// schema's owner, inventory_migrator, and names its schema (?schema=inventory); `prisma generate` needs none.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
