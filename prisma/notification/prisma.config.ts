// Prisma CLI settings of the notification app (schema `notifications`). DATABASE_URL (for migrate) is the
// schema's owner, notifications_migrator, and names its schema (?schema=notifications); `prisma generate` needs none.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
