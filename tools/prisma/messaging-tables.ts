// Writes the migrations of the library-owned tables (the outbox, the inbox) into every Prisma
// schema of the workspace, from their definitions:
//   libs/outbox/src/table/outbox.sql                 owned by libs/outbox
//   libs/messaging/src/inbox/inbox.sql               owned by libs/messaging
//   libs/outbox/src/table/outbox-trace-context.sql   a later change to the outbox (its own migration)
// Every directory with a prisma.config.ts (prisma/<app>/ and the tests' libs/testing/prisma/) gets
// migrations/20261123000000_init/migration.sql (the header, then the first two definitions in that
// order) and one later migration per change, so a database already past init is changed by a new
// migration rather than an edited one. `libs/outbox`'s generate target runs it (npm run generate).
//   node tools/prisma/messaging-tables.ts            write the migrations
//   node tools/prisma/messaging-tables.ts --check    exit 1, naming each stale or missing migration
//                                                    and any other migration that creates these tables
//   --root <dir>                                     another workspace root (the drift test's own check)
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const SCRIPT = 'tools/prisma/messaging-tables.ts';
// In the order they apply: the tables, then each later change in a migration of its own.
const MIGRATIONS: Array<{ name: string; definitions: string[] }> = [
  {
    name: '20261123000000_init',
    definitions: ['libs/outbox/src/table/outbox.sql', 'libs/messaging/src/inbox/inbox.sql'],
  },
  { name: '20261130160000_outbox_trace_context', definitions: ['libs/outbox/src/table/outbox-trace-context.sql'] },
];
const MIGRATION = MIGRATIONS[0].name;
const GENERATED = new Set(MIGRATIONS.map((m) => m.name));

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

function render(files: string[], definitions: string[]): string {
  const header = `-- Generated from ${files.join(' and ')} by ${SCRIPT}; do not edit.`;
  return `${[header, ...definitions.map((sql) => sql.trim())].join('\n\n')}\n`;
}

const rendered = MIGRATIONS.map(({ name, definitions: files }) => {
  const definitions = files.map((file) => readFileSync(join(root, file), 'utf8'));
  return { name, definitions, expected: render(files, definitions) };
});
const tables = rendered[0].definitions.flatMap((sql) => [...sql.matchAll(/CREATE TABLE "(\w+)"/g)].map((m) => m[1]));
const createsOwnedTable = new RegExp(
  `CREATE\\s+TABLE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?"?(${tables.join('|')})"?\\s*\\(`,
  'i',
);

const problems: string[] = [];
let written = 0;
for (const dir of migrationsDirs()) {
  for (const { name, expected } of rendered) {
    const file = `${dir}/${name}/migration.sql`;
    const actual = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined;
    if (!check) {
      // Unchanged files are left alone: a test applying migrations meanwhile never reads a half-written one.
      if (actual === expected) continue;
      mkdirSync(join(root, dir, name), { recursive: true });
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
  }
  if (!check) continue;
  // No other migration of the schema may create these tables: they have one definition.
  for (const other of readdirSync(join(root, dir), { withFileTypes: true })) {
    if (!other.isDirectory() || GENERATED.has(other.name)) continue;
    const sql = join(root, dir, other.name, 'migration.sql');
    const created = existsSync(sql) ? createsOwnedTable.exec(readFileSync(sql, 'utf8')) : null;
    if (created) problems.push(`${dir}/${other.name}/migration.sql creates "${created[2]}", which ${MIGRATION} owns`);
  }
}

if (!check)
  console.log(
    `[messaging-tables] ${MIGRATIONS.length} migrations × ${migrationsDirs().length} schemas: ${written} files rewritten`,
  );
if (problems.length) {
  for (const problem of problems) console.error(problem);
  console.error(`Run \`node ${SCRIPT}\` (npm run generate) to write the migrations from the definitions.`);
  process.exit(1);
}
