// Builds one app into dist/apps/<app>/main.js (or any entry: --entry <file.ts> --out <file.js>):
// esbuild bundles it with the libs it imports (resolving tsconfig paths), SWC compiles each
// TypeScript file first so Nest's decorator metadata is emitted (esbuild alone does not emit it).
// Packages from node_modules stay external.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transform } from '@swc/core';
import { build, type Plugin } from 'esbuild';

const root = join(import.meta.dirname, '../..');
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const app = option('--entry') ? undefined : args[0];
const entry = option('--entry') ?? (app && join('apps', app, 'src/main.ts'));
const outfile = option('--out') ?? (app && join('dist/apps', app, 'main.js'));
if (!entry || !outfile)
  throw new Error('usage: node tools/build/build-app.ts <app> | --entry <file.ts> --out <file.js>');

const decoratorMetadata: Plugin = {
  name: 'swc-decorator-metadata',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const { code, map } = await transform(source, {
        filename: path,
        sourceMaps: 'inline',
        jsc: {
          target: 'es2023',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: map ? `${code}\n//# sourceMappingURL=${map}` : code, loader: 'js' };
    });
  },
};

const started = Date.now();
await build({
  absWorkingDir: root,
  entryPoints: [join(root, entry)],
  outfile: join(root, outfile),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  tsconfig: join(root, 'tsconfig.base.json'),
  sourcemap: true,
  keepNames: true,
  plugins: [decoratorMetadata],
  logLevel: 'warning',
});
console.log(`built ${outfile} in ${Date.now() - started} ms`);
