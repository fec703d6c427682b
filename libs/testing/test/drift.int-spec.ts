import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, createTestDatabase, LEDGER, type TestDatabase, type TestSchema } from '../src/database.ts';
import {
  actualShape,
  compareDefinitions,
  compareShapes,
  createFromDefinitions,
  declaredShape,
  LIBRARY_DEFINITIONS,
  LIBRARY_TABLES,
  tableDefinitions,
} from '../src/drift.ts';
import { WORKSPACE_ROOT } from '../src/infra.ts';

const SCHEMAS: TestSchema[] = [...SERVICE_NAMES, 'ledger'];
const schemaFile = (s: TestSchema) =>
  s === 'ledger'
    ? join(WORKSPACE_ROOT, 'libs/testing/prisma/schema.prisma')
    : join(WORKSPACE_ROOT, 'prisma', s, 'schema.prisma');
const schemaName = (s: TestSchema) => (s === 'ledger' ? LEDGER.schema : SERVICES[s].schema);
const GENERATOR = join(WORKSPACE_ROOT, 'tools/prisma/messaging-tables.ts');
const GENERATED = '20261123000000_init';
const TRACE_CONTEXT = '20261130160000_outbox_trace_context';

/** Runs the generator (its check, by default) on a workspace root: its exit status and what it printed. */
function runGenerator(root = WORKSPACE_ROOT, mode: '--check' | '--write' = '--check') {
  const args = [GENERATOR, '--root', root, ...(mode === '--check' ? ['--check'] : [])];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
  return { status: run.status, stderr: run.stderr };
}

describe('schema.prisma and migrations agree', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(SCHEMAS);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(SCHEMAS)('%s: every table, column, type, nullability and named index', async (schema) => {
    const declared = declaredShape(schemaFile(schema));
    const actual = await actualShape(db.adminUrl, schemaName(schema));
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    expect(compareShapes(declared, actual)).toEqual([]);
  });

  it('reports a column, a type, a nullability and an index that the migrations do not match, and a library table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drift-'));
    const edited = join(dir, 'schema.prisma');
    copyFileSync(schemaFile('order'), edited);
    writeFileSync(
      edited,
      readFileSync(edited, 'utf8')
        .replace('customerId      String    @map("customer_id")', 'customerId      String?   @map("customer_id")')
        .replace('totalCents      Int       @map("total_cents")', 'totalCents      BigInt    @map("total_cents")')
        .replace('reason     String?\n', 'reason     String?\n  priority   Int      @default(0)\n')
        .replace(
          '@@index([orderId, id], map: "order_history_order_id_id_idx")',
          '@@index([orderId, recordedAt], map: "order_history_order_id_id_idx")\n  @@index([eventId])',
        )
        .concat('\nmodel Inbox {\n  consumer String @id\n\n  @@map("inbox")\n}\n'),
    );
    const problems = compareShapes(declaredShape(edited), await actualShape(db.adminUrl, SERVICES.order.schema));
    expect(problems).toEqual(
      expect.arrayContaining([
        'orders.customer_id is NOT NULL but declared optional',
        'orders.total_cents is integer but declared bigint',
        'order_history.priority is declared but no migration creates it',
        'index order_history_order_id_id_idx is on (order_id, id) but declared on (order_id, recorded_at)',
        'index order_history_event_id_idx on order_history(event_id) is declared but no migration creates it',
        'table inbox is defined by libs/messaging/src/inbox/inbox.sql: schema.prisma must not declare it',
      ]),
    );
    expect(problems).toHaveLength(6);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('the library tables', () => {
    const reference = 'drift_definitions';
    beforeAll(async () => {
      await createFromDefinitions(db.adminUrl, reference);
    });

    it('are created by their definitions', async () => {
      const defined = await tableDefinitions(db.adminUrl, reference, Object.keys(LIBRARY_TABLES));
      expect(Object.keys(defined).sort()).toEqual(Object.keys(LIBRARY_TABLES).sort());
      // The parts Prisma cannot declare are there: partial indexes and the NOTIFY trigger.
      expect(defined.outbox.indexes).toContain(
        'CREATE INDEX outbox_key_pending_idx ON outbox USING btree (message_key, id) WHERE (published_at IS NULL)',
      );
      expect(defined.outbox.triggers).toHaveLength(1);
    });

    it.each(SCHEMAS)(
      '%s: are exactly their definitions (columns, defaults, constraints, indexes, triggers)',
      async (schema) => {
        const tables = Object.keys(LIBRARY_TABLES);
        const defined = await tableDefinitions(db.adminUrl, reference, tables);
        const actual = await tableDefinitions(db.adminUrl, schemaName(schema), tables);
        expect(compareDefinitions(defined, actual)).toEqual([]);
      },
    );

    it('reports a schema whose library table differs from its definition', async () => {
      const tables = Object.keys(LIBRARY_TABLES);
      const defined = await tableDefinitions(db.adminUrl, reference, tables);
      const altered = 'drift_altered';
      await createFromDefinitions(db.adminUrl, altered);
      for (const sql of [
        `ALTER TABLE ${altered}.outbox ALTER COLUMN attempts SET DEFAULT 1`,
        `DROP INDEX ${altered}.outbox_pending_idx`,
        `CREATE INDEX outbox_pending_idx ON ${altered}.outbox (id)`,
        `CREATE INDEX inbox_event_id_idx ON ${altered}.inbox (event_id)`,
      ])
        await adminQuery(db, sql);
      expect(compareDefinitions(defined, await tableDefinitions(db.adminUrl, altered, tables))).toEqual([
        'outbox: missing, or other than libs/outbox/src/table/outbox.sql says: attempts integer NOT NULL DEFAULT 0',
        'outbox: not in libs/outbox/src/table/outbox.sql: attempts integer NOT NULL DEFAULT 1',
        'outbox: missing, or other than libs/outbox/src/table/outbox.sql says: CREATE INDEX outbox_pending_idx ON outbox USING btree (id) WHERE (published_at IS NULL)',
        'outbox: not in libs/outbox/src/table/outbox.sql: CREATE INDEX outbox_pending_idx ON outbox USING btree (id)',
        'inbox: not in libs/messaging/src/inbox/inbox.sql: CREATE INDEX inbox_event_id_idx ON inbox USING btree (event_id)',
      ]);
    });
  });
});

describe('the generated migrations of the library tables', () => {
  it('are what tools/prisma/messaging-tables.ts makes of the definitions, in every schema', () => {
    expect(runGenerator()).toEqual({ status: 0, stderr: '' });
  });

  it('fail the check when one is edited by hand, missing, or another migration creates the tables', () => {
    const root = mkdtempSync(join(tmpdir(), 'messaging-tables-'));
    try {
      for (const file of LIBRARY_DEFINITIONS) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        copyFileSync(join(WORKSPACE_ROOT, file), join(root, file));
      }
      // Two schemas of a workspace of its own, their migrations written afresh from the definitions.
      for (const app of ['order', 'payment']) {
        cpSync(join(WORKSPACE_ROOT, 'prisma', app), join(root, 'prisma', app), { recursive: true });
        rmSync(join(root, 'prisma', app, 'migrations', GENERATED), { recursive: true, force: true });
      }
      expect(runGenerator(root, '--write')).toEqual({ status: 0, stderr: '' });
      expect(runGenerator(root)).toEqual({ status: 0, stderr: '' });

      const order = join(root, 'prisma/order/migrations', GENERATED, 'migration.sql');
      writeFileSync(
        order,
        readFileSync(order, 'utf8').replace(
          '"attempts" INTEGER NOT NULL DEFAULT 0',
          '"attempts" INTEGER NOT NULL DEFAULT 1',
        ),
      );
      rmSync(join(root, 'prisma/payment/migrations', GENERATED), { recursive: true });
      // A later change of a library table is a generated migration of its own, checked the same way.
      rmSync(join(root, 'prisma/order/migrations', TRACE_CONTEXT), { recursive: true });
      mkdirSync(join(root, 'prisma/payment/migrations/20261201000000_copy'));
      writeFileSync(
        join(root, 'prisma/payment/migrations/20261201000000_copy/migration.sql'),
        'CREATE TABLE IF NOT EXISTS "inbox" ("consumer" TEXT NOT NULL);\n',
      );

      const { status, stderr } = runGenerator(root);
      expect(status).toBe(1);
      expect(stderr).toMatch(
        /prisma\/order\/migrations\/20261123000000_init\/migration\.sql differs from what tools\/prisma\/messaging-tables\.ts generates at line \d+: " {4}"attempts" INTEGER NOT NULL DEFAULT 1,"/,
      );
      expect(stderr).toContain('prisma/payment/migrations/20261123000000_init/migration.sql is missing');
      expect(stderr).toContain(`prisma/order/migrations/${TRACE_CONTEXT}/migration.sql is missing`);
      expect(stderr).toContain(
        'prisma/payment/migrations/20261201000000_copy/migration.sql creates "inbox", which 20261123000000_init owns',
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
