// `npm run docs:asyncapi` as CI runs it, on a copy of the workspace (the contracts, the tool, the
// docs) whose event schemas this test edits the way a developer would.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const COPIED = [
  'package.json',
  'tsconfig.base.json',
  '.prettierrc.json',
  'tools/build',
  'tools/docs',
  'libs/contracts',
  'docs/asyncapi.yaml',
  'docs/events.md',
];

let copy: string;

function run(...args: string[]) {
  const result = spawnSync(process.execPath, ['tools/build/run-tool.ts', 'tools/docs/asyncapi.ts', ...args], {
    cwd: copy,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function edit(file: string, from: string, to: string) {
  const text = readFileSync(join(copy, file), 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  writeFileSync(join(copy, file), text.replace(from, to));
}

const read = (file: string) => readFileSync(join(copy, file), 'utf8');

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'docs-asyncapi-'));
  for (const path of COPIED) cpSync(join(ROOT, path), join(copy, path), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

// Each run bundles the tool anew (a few seconds each on a busy machine).
describe('npm run docs:asyncapi', { timeout: 120_000 }, () => {
  it('passes --check on the committed documents', () => {
    const { status, output } = run('--check');
    expect(output).toContain('docs/asyncapi.yaml, docs/events.md and libs/contracts/schemas are current');
    expect(status).toBe(0);
  });

  it('fails, in --check and when writing, on a published version whose schema changed, and writes nothing', () => {
    const asyncapi = read('docs/asyncapi.yaml');
    edit(
      'libs/contracts/src/events.ts',
      '  paymentToken: z.string().min(1),\n',
      '  paymentToken: z.string().min(1),\n  couponCode: z.string(),\n',
    );

    const checked = run('--check');
    expect(checked.output).toMatch(
      /order\.placed\.v1 is published and frozen, but its schema changed: \(data\)\.properties\.couponCode was \(absent\), is \{"type":"string"\}/,
    );
    expect(checked.output).toMatch(/docs\/asyncapi\.yaml is not what npm run docs:asyncapi generates/);
    expect(checked.status).toBe(1);

    const written = run();
    expect(written.output).toContain(
      'Nothing was written: first make the schemas of published versions what they were.',
    );
    expect(written.status).toBe(1);
    expect(read('docs/asyncapi.yaml')).toBe(asyncapi);
    expect(JSON.parse(read('libs/contracts/schemas/order.placed.v1.json')).properties).not.toHaveProperty('couponCode');
  });

  it('takes the same change as version 2 with its upcaster: freezes v2, documents both, and is current after', () => {
    edit('libs/contracts/src/events.ts', '  couponCode: z.string(),\n', '');
    edit(
      'libs/contracts/src/events.ts',
      'export type OrderPlacedV1 = z.infer<typeof OrderPlacedV1>;\n',
      'export type OrderPlacedV1 = z.infer<typeof OrderPlacedV1>;\n' +
        'export const OrderPlacedV2 = OrderPlacedV1.extend({ couponCode: z.string().nullable() });\n',
    );
    edit(
      'libs/contracts/src/catalog.ts',
      "defineEvent('order.placed', [{ version: 1, schema: events.OrderPlacedV1 }])",
      "defineEvent('order.placed', [{ version: 1, schema: events.OrderPlacedV1 }, " +
        '{ version: 2, schema: events.OrderPlacedV2, upcast: (v1: events.OrderPlacedV1) => ({ ...v1, couponCode: null }) }])',
    );

    expect(run('--check')).toMatchObject({ status: 1 });
    const written = run();
    expect(written.output).toContain('order.placed.v2 is new: frozen from now on');
    expect(written.status).toBe(0);
    expect(JSON.parse(read('libs/contracts/schemas/order.placed.v2.json')).required).toContain('couponCode');
    expect(read('docs/asyncapi.yaml')).toContain("$ref: '#/channels/order.placed/messages/order.placed.v2'");
    expect(read('docs/events.md')).toContain('[v2](../libs/contracts/schemas/order.placed.v2.json)');
    expect(run('--check')).toMatchObject({ status: 0 });
  });
});
