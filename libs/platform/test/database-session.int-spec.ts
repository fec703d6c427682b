import { adminQuery, createTestDatabase, ledgerClient, type TestDatabase } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe("an app's database session", () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(['ledger']);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs in UTC and in its own schema, whatever the server or role defaults to', async () => {
    const role = new URL(db.urlFor('ledger')).username;
    await adminQuery(db, `ALTER ROLE "${role}" SET TimeZone = 'Asia/Tokyo'`);
    const client = ledgerClient(db.urlFor('ledger'));
    try {
      const [session] = await client.$queryRaw<Array<{ zone: string; schema: string }>>`
        SELECT current_setting('TimeZone') AS zone, current_schema() AS schema`;
      expect(session).toEqual({ zone: 'UTC', schema: 'ledger' });
    } finally {
      await client.$disconnect();
    }
  });
});
