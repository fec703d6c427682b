// Runs a tool that imports the libs:  node tools/build/run-tool.ts <tools/…/entry.ts> [args…]
// Node 24 runs TypeScript by stripping types, but it resolves no tsconfig paths (@commerce/*) and
// compiles no decorators, which the libs use. So the entry is bundled first, as the apps are
// (tools/build/bundle.ts), into dist/tools/<name>.js, and that bundle then runs in this very
// process with the given arguments: signals, stdin/stdout and the exit code are the tool's own.
// dist/tools/ is two levels below the workspace root, as tools/<dir>/ is, so a tool finds the root
// at join(import.meta.dirname, '../..') whether it runs bundled or not.
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundle } from './bundle.ts';

const [entry, ...args] = process.argv.slice(2);
if (!entry?.endsWith('.ts')) {
  console.error('usage: node tools/build/run-tool.ts <tools/…/entry.ts> [args…]');
  process.exit(2);
}
const outfile = await bundle({
  entry: resolve(entry),
  outfile: `dist/tools/${basename(entry, '.ts')}.js`,
  sourcemap: 'inline',
});
// The tool reads its arguments from process.argv.slice(2), as if started as `node <bundle> args…`.
process.argv.splice(1, process.argv.length - 1, outfile, ...args);
process.setSourceMapsEnabled(true);
await import(pathToFileURL(outfile).href);
