// A version of an event, once published, is frozen: messages of it sit in Kafka, in outboxes and in
// dead-letter topics, and every reader must still read them. So each (event, version)'s JSON schema
// is committed (libs/contracts/schemas/<type>.v<N>.json) the first time it is generated and compared
// ever after. A change is a new version with an upcaster (defineEvent refuses a version without one).
// One change stays in place, as docs/contract.md (Versions) says: a new value of an enum, which every
// message already written still satisfies; consumers are deployed before the producer sends it.
import { isDeepStrictEqual } from 'node:util';
import type { JsonSchema } from './event-documents.ts';

export interface FreezeVerdict {
  /** Changes to published versions that need a new version instead; each names where. */
  breaking: string[];
  /** Versions not frozen yet (new ones), or frozen with fewer enum values: the snapshots to write. */
  toWrite: Record<string, JsonSchema>;
  /** What toWrite is, for people. */
  notes: string[];
}

type Change = { path: string; kind: 'widened' | 'changed'; detail: string };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));

/** Every difference between two JSON values; an enum that only gained values is 'widened'. */
function differences(frozen: unknown, current: unknown, path: string): Change[] {
  if (isDeepStrictEqual(frozen, current)) return [];
  if (path.endsWith('.enum') && Array.isArray(frozen) && Array.isArray(current)) {
    const removed = frozen.filter((value) => !current.includes(value));
    const added = current.filter((value) => !frozen.includes(value));
    return removed.length === 0
      ? [{ path, kind: 'widened', detail: `gained ${added.map(show).join(', ')}` }]
      : [{ path, kind: 'changed', detail: `lost ${removed.map(show).join(', ')}` }];
  }
  if (isObject(frozen) && isObject(current)) {
    const keys = [...new Set([...Object.keys(frozen), ...Object.keys(current)])];
    return keys.flatMap((key) => differences(frozen[key], current[key], `${path}.${key}`));
  }
  return [{ path, kind: 'changed', detail: `was ${show(frozen)}, is ${show(current)}` }];
}

/** Compares the catalog's schemas (by `type.vN`) with the frozen ones. */
export function judgeSchemas(frozen: Record<string, JsonSchema>, current: Record<string, JsonSchema>): FreezeVerdict {
  const verdict: FreezeVerdict = { breaking: [], toWrite: {}, notes: [] };
  for (const name of Object.keys(frozen)) {
    if (!(name in current))
      verdict.breaking.push(`${name} was published and is gone from the catalog: readers may still meet it, keep it`);
  }
  for (const [name, schema] of Object.entries(current)) {
    if (!(name in frozen)) {
      verdict.toWrite[name] = schema;
      verdict.notes.push(`${name} is new: frozen from now on`);
      continue;
    }
    const changes = differences(frozen[name], schema, '(data)');
    const changed = changes.filter((c) => c.kind === 'changed');
    if (changed.length > 0) {
      const where = changed.map((c) => `${c.path} ${c.detail}`).join('; ');
      verdict.breaking.push(
        `${name} is published and frozen, but its schema changed: ${where}. Restore it and add the next ` +
          'version with an upcaster instead (docs/architecture.md, Events: versions and their documents)',
      );
    } else if (changes.length > 0) {
      verdict.toWrite[name] = schema;
      verdict.notes.push(
        `${name}: ${changes.map((c) => `${c.path} ${c.detail}`).join('; ')} (a new enum value stays in its version)`,
      );
    }
  }
  return verdict;
}
