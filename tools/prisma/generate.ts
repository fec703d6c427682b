// Generates an app's Prisma client (`node tools/prisma/generate.ts <app>`; no app: all five).
// `prisma generate` needs no schema engine, but the CLI looks for its binary first; where the
// binary could not be downloaded, PRISMA_SCHEMA_ENGINE_BINARY points at any existing file.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const apps = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['auth', 'order', 'payment', 'inventory', 'notification'];

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
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

for (const app of apps) {
  const config = join(root, 'prisma', app, 'prisma.config.ts');
  if (!existsSync(config)) throw new Error(`No Prisma config for "${app}" at ${config}`);
  execFileSync(join(root, 'node_modules/.bin/prisma'), ['generate', '--config', config], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
}
