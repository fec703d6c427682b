// Bundles one TypeScript entry into one ES module for Node 24, as the apps are built: esbuild
// follows the imports (resolving the tsconfig paths, @commerce/*), SWC compiles each TypeScript
// file first so Nest's decorator metadata is emitted (esbuild alone does not emit it). Packages
// from node_modules stay external.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { transform } from '@swc/core';
import { build, type Plugin } from 'esbuild';

/** The workspace root: this file is tools/build/bundle.ts. */
export const WORKSPACE_ROOT = join(import.meta.dirname, '../..');

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

/**
 * Bundles `entry` into `outfile` (relative to the workspace root, or absolute). `sourcemap: 'inline'` keeps
 * the output one file, written whole under a temporary name and renamed, so two runs building the
 * same entry at once never load a half-written bundle.
 */
export async function bundle(options: { entry: string; outfile: string; sourcemap?: 'external' | 'inline' }) {
  const outfile = resolve(WORKSPACE_ROOT, options.outfile);
  const result = await build({
    absWorkingDir: WORKSPACE_ROOT,
    entryPoints: [resolve(WORKSPACE_ROOT, options.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    tsconfig: join(WORKSPACE_ROOT, 'tsconfig.base.json'),
    sourcemap: options.sourcemap === 'inline' ? 'inline' : true,
    keepNames: true,
    plugins: [decoratorMetadata],
    logLevel: 'warning',
    write: false,
  });
  await mkdir(dirname(outfile), { recursive: true });
  await Promise.all(
    result.outputFiles.map(async (file) => {
      const partial = `${file.path}.${process.pid}.tmp`;
      await writeFile(partial, file.contents);
      await rename(partial, file.path);
    }),
  );
  return outfile;
}
