// Generates Prisma clients: `node tools/prisma/generate.ts <app | path/to/prisma.config.ts>…`
// (no argument: the five apps). `prisma generate` needs no schema engine, but the CLI looks for its
// binary first; where it could not be downloaded, PRISMA_SCHEMA_ENGINE_BINARY points at any
// existing file.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '../..');
const targets = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['auth', 'order', 'payment', 'inventory', 'notification'];

const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
const engine = env.PRISMA_SCHEMA_ENGINE_BINARY;
if (!engine || !existsSync(engine)) {
  const bundled = join(root, 'node_modules/@prisma/engines');
  const found = existsSync(bundled)
    ? execFileSync('find', [bundled, '-maxdepth', '1', '-name', 'schema-engine*'], { encoding: 'utf8' })
        .trim()
        .split('\n')[0]
    : '';
  env.PRISMA_SCHEMA_ENGINE_BINARY = found || process.execPath;
}

for (const target of targets) {
  const config = target.endsWith('.ts') ? resolve(target) : join(root, 'prisma', target, 'prisma.config.ts');
  if (!existsSync(config)) throw new Error(`No Prisma config for "${target}" at ${config}`);
  execFileSync(join(root, 'node_modules/.bin/prisma'), ['generate', '--config', config], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
}
