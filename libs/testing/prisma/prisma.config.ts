// Prisma CLI settings of the `ledger` schema: a small app of the tests' own that the outbox and
// messaging libs are proven with (outbox, inbox, and the entries its handlers write).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
