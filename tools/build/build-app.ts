// Builds one app into dist/apps/<app>/main.js (or any entry: --entry <file.ts> --out <file.js>),
// bundled with the libs it imports (tools/build/bundle.ts).
import { copyFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundle } from './bundle.ts';

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const app = option('--entry') ? undefined : args[0];
const entry = option('--entry') ?? (app && join('apps', app, 'src/main.ts'));
const outfile = option('--out') ?? (app && join('dist/apps', app, 'main.js'));
if (!entry || !outfile)
  throw new Error('usage: node tools/build/build-app.ts <app> | --entry <file.ts> --out <file.js>');

const started = Date.now();
await bundle({ entry, outfile });
if (app) {
  // The API reference page's browser script (a dev dependency: its package pulls a UI toolkit the
  // image does not need), beside the bundle, where libs/platform/src/openapi looks for it first.
  const reference = join(
    dirname(createRequire(import.meta.url).resolve('@scalar/api-reference')),
    'browser/standalone.js',
  );
  await copyFile(reference, join(dirname(outfile), 'api-reference.js'));
}
console.log(`built ${outfile} in ${Date.now() - started} ms`);
