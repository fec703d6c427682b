import { prismaAdapter } from '@commerce/platform';
import { PrismaClient } from './generated/ledger/client.ts';

/** The Prisma client of the tests' `ledger` schema. */
export class LedgerDatabase extends PrismaClient {}

/** A ledger client on a test database URL (its `ledger` role and schema). */
export function ledgerClient(databaseUrl: string): LedgerDatabase {
  return new LedgerDatabase({ adapter: prismaAdapter(databaseUrl) });
}
