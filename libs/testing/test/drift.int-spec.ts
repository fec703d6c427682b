import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/database.ts';
import { actualShape, compareShapes, declaredShape } from '../src/drift.ts';
import { WORKSPACE_ROOT } from '../src/infra.ts';

const schemaFile = (service: string) => join(WORKSPACE_ROOT, 'prisma', service, 'schema.prisma');

describe('schema.prisma and migrations agree', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase([...SERVICE_NAMES]);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it.each(SERVICE_NAMES)('%s: every table, column, type, nullability and named index', async (service) => {
    const declared = declaredShape(schemaFile(service));
    const actual = await actualShape(db.adminUrl, SERVICES[service].schema);
    expect(Object.keys(declared).length).toBeGreaterThan(0);
    expect(compareShapes(declared, actual)).toEqual([]);
  });

  it('reports a column, a type, a nullability and an index that the migrations do not match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drift-'));
    const edited = join(dir, 'schema.prisma');
    copyFileSync(schemaFile('order'), edited);
    writeFileSync(
      edited,
      readFileSync(edited, 'utf8')
        .replace('topic         String', 'topic         String?')
        .replace('attempts      Int', 'attempts      BigInt')
        .replace(
          'lastError     String?   @map("last_error")',
          'lastError     String?   @map("last_error")\n  priority      Int       @default(0)',
        )
        .replace(
          '@@index([processedAt], map: "inbox_processed_at_idx")',
          '@@index([processedAt, consumer], map: "inbox_processed_at_idx")\n  @@index([consumer])',
        ),
    );
    const problems = compareShapes(declaredShape(edited), await actualShape(db.adminUrl, SERVICES.order.schema));
    expect(problems).toEqual(
      expect.arrayContaining([
        'outbox.topic is NOT NULL but declared optional',
        'outbox.attempts is integer but declared bigint',
        'outbox.priority is declared but no migration creates it',
        'index inbox_processed_at_idx is on (processed_at) but declared on (processed_at, consumer)',
        'index inbox_consumer_idx on inbox(consumer) is declared but no migration creates it',
      ]),
    );
    expect(problems).toHaveLength(5);
  });
});
