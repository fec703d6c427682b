// Builds one app into dist/apps/<app>/main.js (or any entry: --entry <file.ts> --out <file.js>),
// bundled with the libs it imports (tools/build/bundle.ts).
import { join } from 'node:path';
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
console.log(`built ${outfile} in ${Date.now() - started} ms`);
