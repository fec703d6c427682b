// Writes the migration that creates the library-owned tables (the outbox, the inbox) into every
// Prisma schema of the workspace, from their one definition each:
//   libs/outbox/src/table/outbox.sql     owned by libs/outbox
//   libs/messaging/src/inbox/inbox.sql   owned by libs/messaging
// Every directory with a prisma.config.ts (prisma/<app>/ and the tests' libs/testing/prisma/) gets
// migrations/20261123000000_init/migration.sql: the header, then the definitions in
// that order. `libs/outbox`'s generate target runs it (npm run generate).
//   node tools/prisma/messaging-tables.ts            write the migrations
//   node tools/prisma/messaging-tables.ts --check    exit 1, naming each stale or missing migration
//                                                    and any other migration that creates these tables
//   --root <dir>                                     another workspace root (the drift test's own check)
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SCRIPT = 'tools/prisma/messaging-tables.ts';
const DEFINITIONS = ['libs/outbox/src/table/outbox.sql', 'libs/messaging/src/inbox/inbox.sql'];
const MIGRATION = '20261123000000_init';

const args = process.argv.slice(2);
const check = args.includes('--check');
const root = resolve(args.includes('--root') ? args[args.indexOf('--root') + 1] : join(import.meta.dirname, '../..'));

/** The migrations directories of every Prisma schema, relative to the root. */
function migrationsDirs(): string[] {
  const schemas = [
    ...readdirSync(join(root, 'prisma'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `prisma/${entry.name}`),
    'libs/testing/prisma',
  ];
  return schemas.filter((dir) => existsSync(join(root, dir, 'prisma.config.ts'))).map((dir) => `${dir}/migrations`);
}

function render(definitions: string[]): string {
  const header = `-- Generated from ${DEFINITIONS.join(' and ')} by ${SCRIPT}; do not edit.`;
  return `${[header, ...definitions.map((sql) => sql.trim())].join('\n\n')}\n`;
}

const definitions = DEFINITIONS.map((file) => readFileSync(join(root, file), 'utf8'));
const expected = render(definitions);
const tables = definitions.flatMap((sql) => [...sql.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]));
const createsOwnedTable = new RegExp(
  `CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"?(${tables.join('|')})"?\\s*\\(`,
  'i',
);

const problems: string[] = [];
let written = 0;
for (const dir of migrationsDirs()) {
  const file = `${dir}/${MIGRATION}/migration.sql`;
  const actual = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined;
  if (!check) {
    // Unchanged files are left alone: a test applying migrations meanwhile never reads a half-written one.
    if (actual === expected) continue;
    mkdirSync(join(root, dir, MIGRATION), { recursive: true });
    writeFileSync(join(root, file), expected);
    written++;
    continue;
  }
  if (actual === undefined) problems.push(`${file} is missing`);
  else if (actual !== expected) {
    const want = expected.split('\n');
    const have = actual.split('\n');
    const line = want.findIndex((text, i) => have[i] !== text);
    const at = line === -1 ? have.length : line;
    problems.push(`${file} differs from what ${SCRIPT} generates at line ${at + 1}: "${have[at] ?? ''}"`);
  }
  // No other migration of the schema may create these tables: they have one definition.
  for (const other of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (!other.isDirectory() || other.name === MIGRATION) continue;
    const sql = join(root, dir, other.name, 'migration.sql');
    const created = existsSync(sql) ? createsOwnedTable.exec(readFileSync(sql, 'utf8')) : null;
    if (created) problems.push(`${dir}/${other.name}/migration.sql creates "${created[2]}", which ${MIGRATION} owns`);
  }
}

if (!check) console.log(`[messaging-tables] ${MIGRATION}: ${written} of ${migrationsDirs().length} schemas rewritten`);
if (problems.length) {
  for (const problem of problems) console.error(problem);
  console.error(`Run \`node ${SCRIPT}\` (npm run generate) to write the migrations from the definitions.`);
  process.exit(1);
}
