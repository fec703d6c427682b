// Prisma CLI settings of the auth app (schema `auth`). DATABASE_URL (for migrate) is the
// schema's owner, auth_migrator, and names its schema (?schema=auth); `prisma generate` needs none.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
