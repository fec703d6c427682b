import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getDMMF } from '@prisma/get-dmmf';
import pg from 'pg';
import { WORKSPACE_ROOT } from './infra.ts';

/**
 * Tables the libraries own, each with its one definition (relative to the workspace root). Every
 * schema's generated migration 20261123000000_init creates them from these files;
 * schema.prisma does not model them.
 */
export const LIBRARY_TABLES: Readonly<Record<string, string>> = {
  outbox: 'libs/outbox/src/table/outbox.sql',
  inbox: 'libs/messaging/src/inbox/inbox.sql',
};

/** A table as both sides describe it: columns with their Postgres type and nullability, and indexes. */
export interface TableShape {
  columns: Record<string, { type: string; nullable: boolean }>;
  indexes: Record<string, string[]>;
}

/**
 * Every definition file of the library tables, in the order the generated migrations apply them:
 * the tables (LIBRARY_TABLES), then each later change (a migration of its own).
 */
export const LIBRARY_DEFINITIONS: readonly string[] = [
  ...new Set(Object.values(LIBRARY_TABLES)),
  'libs/outbox/src/table/outbox-trace-context.sql',
];

export type SchemaShape = Record<string, TableShape>;

// Prisma's default PostgreSQL type for each scalar, and the types its @db attributes select.
const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Bytes: 'bytea',
};
const NATIVE_TYPES: Record<string, (args: string[]) => string> = {
  Uuid: () => 'uuid',
  Text: () => 'text',
  Integer: () => 'integer',
  SmallInt: () => 'smallint',
  BigInt: () => 'bigint',
  VarChar: (a) => (a[0] ? `character varying(${a[0]})` : 'character varying'),
  Char: (a) => `character(${a[0] ?? 1})`,
  Timestamptz: (a) => `timestamp(${a[0] ?? 6}) with time zone`,
  Timestamp: (a) => `timestamp(${a[0] ?? 6}) without time zone`,
  Date: () => 'date',
  JsonB: () => 'jsonb',
  Json: () => 'json',
  Boolean: () => 'boolean',
  DoublePrecision: () => 'double precision',
  Decimal: (a) => (a.length ? `numeric(${a.join(',')})` : 'numeric'),
  Inet: () => 'inet',
  Citext: () => 'citext',
};

/** What a schema.prisma declares, in Postgres terms (mapped names, default index names). */
export function declaredShape(schemaFile: string): SchemaShape {
  const dmmf = getDMMF({ datamodel: readFileSync(schemaFile, 'utf8') });
  if ('type' in dmmf && !('datamodel' in dmmf)) throw dmmf.error;
  const { datamodel } = dmmf as Exclude<typeof dmmf, { type: string }>;
  const shape: SchemaShape = {};
  const columnOf = new Map<string, Map<string, string>>();
  for (const model of datamodel.models) {
    const table = model.dbName ?? model.name;
    const columns: TableShape['columns'] = {};
    const names = new Map<string, string>();
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      const column = field.dbName ?? field.name;
      names.set(field.name, column);
      const native = field.nativeType as [string, string[]] | null | undefined;
      let type = native
        ? (NATIVE_TYPES[native[0]]?.(native[1]) ?? native[0].toLowerCase())
        : (SCALAR_TYPES[field.type] ?? 'USER-DEFINED');
      if (field.kind === 'enum') type = `enum ${field.type}`;
      if (field.isList) type = `${type}[]`;
      columns[column] = { type, nullable: !field.isRequired };
    }
    shape[table] = { columns, indexes: {} };
    columnOf.set(model.name, names);
  }
  for (const index of datamodel.indexes) {
    const model = datamodel.models.find((m) => m.name === index.model)!;
    const table = model.dbName ?? model.name;
    const columns = index.fields.map((f) => columnOf.get(index.model)!.get(f.name)!);
    const suffix = { id: 'pkey', unique: 'key', normal: 'idx', fulltext: 'idx' }[index.type];
    const name = index.dbName ?? (index.type === 'id' ? `${table}_pkey` : `${table}_${columns.join('_')}_${suffix}`);
    shape[table].indexes[name] = columns;
  }
  return shape;
}

/** What a Postgres schema holds, in the same terms (Prisma's own `_prisma_migrations` left out). */
export async function actualShape(databaseUrl: string, schema: string): Promise<SchemaShape> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const columns = await client.query<{ table: string; column: string; type: string; nullable: boolean }>(
      `
      SELECT c.relname AS table, a.attname AS column, NOT a.attnotnull AS nullable,
             CASE WHEN t.typtype = 'e' THEN 'enum ' || t.typname
                  WHEN et.typtype = 'e' THEN 'enum ' || et.typname || '[]'
                  ELSE format_type(a.atttypid, a.atttypmod) END AS type
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_type et ON et.oid = t.typelem
      WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'
      ORDER BY c.relname, a.attnum`,
      [schema],
    );
    const indexes = await client.query<{ table: string; index: string; columns: string[] }>(
      `
      SELECT t.relname AS table, i.relname AS index,
             array_agg(a.attname::text ORDER BY k.ord) AS columns
      FROM pg_index x
      JOIN pg_class i ON i.oid = x.indexrelid
      JOIN pg_class t ON t.oid = x.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = $1 AND t.relname <> '_prisma_migrations'
      GROUP BY t.relname, i.relname`,
      [schema],
    );
    const shape: SchemaShape = {};
    for (const c of columns.rows) {
      shape[c.table] ??= { columns: {}, indexes: {} };
      shape[c.table].columns[c.column] = { type: c.type, nullable: c.nullable };
    }
    for (const i of indexes.rows) shape[i.table].indexes[i.index] = i.columns;
    return shape;
  } finally {
    await client.end();
  }
}

/**
 * The differences between what schema.prisma declares and what the database holds, one line each.
 * Indexes the database has but the schema does not name (partial indexes Prisma cannot express) are allowed.
 * The library-owned tables are compared with their definitions instead (compareDefinitions); a
 * schema.prisma that declares one is reported.
 */
export function compareShapes(declared: SchemaShape, actual: SchemaShape): string[] {
  const problems: string[] = [];
  for (const table of new Set([...Object.keys(declared), ...Object.keys(actual)])) {
    if (LIBRARY_TABLES[table]) {
      if (declared[table])
        problems.push(`table ${table} is defined by ${LIBRARY_TABLES[table]}: schema.prisma must not declare it`);
      continue;
    }
    const want = declared[table];
    const have = actual[table];
    if (!want) {
      problems.push(`table ${table} exists but schema.prisma does not declare it`);
      continue;
    }
    if (!have) {
      problems.push(`table ${table} is declared but no migration creates it`);
      continue;
    }
    for (const column of new Set([...Object.keys(want.columns), ...Object.keys(have.columns)])) {
      const w = want.columns[column];
      const h = have.columns[column];
      if (!w) problems.push(`${table}.${column} exists but is not declared`);
      else if (!h) problems.push(`${table}.${column} is declared but no migration creates it`);
      else {
        if (w.type !== h.type) problems.push(`${table}.${column} is ${h.type} but declared ${w.type}`);
        if (w.nullable !== h.nullable)
          problems.push(
            `${table}.${column} is ${h.nullable ? 'nullable' : 'NOT NULL'} but declared ${w.nullable ? 'optional' : 'required'}`,
          );
      }
    }
    for (const [name, columns] of Object.entries(want.indexes)) {
      if (!have.indexes[name])
        problems.push(`index ${name} on ${table}(${columns.join(', ')}) is declared but no migration creates it`);
      else if (have.indexes[name].join(',') !== columns.join(','))
        problems.push(`index ${name} is on (${have.indexes[name].join(', ')}) but declared on (${columns.join(', ')})`);
    }
  }
  return problems;
}

/** Everything a table is, as Postgres prints it with its schema left out: comparable across schemas. */
export interface TableDefinition {
  columns: string[];
  constraints: string[];
  indexes: string[];
  /** Each trigger with the function it runs. */
  triggers: string[];
}

/** The full definition of `tables` in `schema`: columns with types, nullability and defaults, constraints, indexes (with their predicates) and triggers. */
export async function tableDefinitions(
  databaseUrl: string,
  schema: string,
  tables: string[],
): Promise<Record<string, TableDefinition>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // With the schema first on the search path, Postgres leaves it out of what it prints (but for
    // a function's own name, which the replace below takes out).
    await client.query(`SET search_path = ${client.escapeIdentifier(schema)}`);
    const unqualified = (text: string) =>
      text.replaceAll(`${client.escapeIdentifier(schema)}.`, '').replaceAll(`${schema}.`, '');
    const query = async (sql: string) =>
      (await client.query<{ table: string; line: string }>(sql, [schema, tables])).rows.map((r) => ({
        table: r.table,
        line: unqualified(r.line),
      }));
    const where = `n.nspname = $1 AND c.relname = ANY($2::text[])`;
    const [columns, constraints, indexes, triggers] = await Promise.all([
      query(`
        SELECT c.relname AS table,
               format('%I %s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
                      CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                      COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')) AS line
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE ${where} AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY c.relname, a.attnum`),
      query(`
        SELECT c.relname AS table, format('%I %s', co.conname, pg_get_constraintdef(co.oid)) AS line
        FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${where} ORDER BY 1, 2`),
      query(`
        SELECT c.relname AS table, pg_get_indexdef(x.indexrelid) AS line
        FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${where} ORDER BY 1, 2`),
      query(`
        SELECT c.relname AS table, pg_get_triggerdef(t.oid) || ' -- ' || pg_get_functiondef(t.tgfoid) AS line
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${where} AND NOT t.tgisinternal ORDER BY 1, 2`),
    ]);
    const definitions: Record<string, TableDefinition> = {};
    const of = (table: string) => (definitions[table] ??= { columns: [], constraints: [], indexes: [], triggers: [] });
    for (const c of columns) of(c.table).columns.push(c.line);
    for (const c of constraints) of(c.table).constraints.push(c.line);
    for (const i of indexes) of(i.table).indexes.push(i.line);
    for (const t of triggers) of(t.table).triggers.push(t.line);
    return definitions;
  } finally {
    await client.end();
  }
}

/**
 * Runs the library tables' definitions (LIBRARY_DEFINITIONS) into `schema`, a fresh one, as the generated
 * migrations would: what every app's schema must hold of these tables.
 */
export async function createFromDefinitions(adminUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${client.escapeIdentifier(schema)}`);
    await client.query(`SET search_path = ${client.escapeIdentifier(schema)}`);
    for (const file of LIBRARY_DEFINITIONS) {
      await client.query(readFileSync(join(WORKSPACE_ROOT, file), 'utf8'));
    }
  } finally {
    await client.end();
  }
}

/** Where a schema's library tables differ from their definitions, one line each. */
export function compareDefinitions(
  defined: Record<string, TableDefinition>,
  actual: Record<string, TableDefinition>,
): string[] {
  const problems: string[] = [];
  for (const table of Object.keys(LIBRARY_TABLES)) {
    const want = defined[table];
    const have = actual[table];
    if (!want) problems.push(`table ${table}: ${LIBRARY_TABLES[table]} does not create it`);
    else if (!have) problems.push(`table ${table} is missing (defined by ${LIBRARY_TABLES[table]})`);
    else {
      for (const part of ['columns', 'constraints', 'indexes', 'triggers'] as const) {
        for (const line of want[part].filter((l) => !have[part].includes(l)))
          problems.push(`${table}: missing, or other than ${LIBRARY_TABLES[table]} says: ${line}`);
        for (const line of have[part].filter((l) => !want[part].includes(l)))
          problems.push(`${table}: not in ${LIBRARY_TABLES[table]}: ${line}`);
      }
    }
  }
  return problems;
}
