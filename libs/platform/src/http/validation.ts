import { type ArgumentMetadata, type PipeTransform, UnprocessableEntityException } from '@nestjs/common';
import type { z } from 'zod';
import { problem } from './problem-details.ts';

/** Paths of the strings in `value` that hold a NUL character, which PostgreSQL text cannot store. */
function nulCharacterPaths(value: unknown, path: string[] = []): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path.join('.')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => nulCharacterPaths(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => nulCharacterPaths(v, [...path, k]));
  }
  return [];
}

/** Parses `value` with `schema`, or throws a 422 problem naming every field that is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const nul = nulCharacterPaths(value);
  if (nul.length > 0) {
    throw new UnprocessableEntityException(
      problem(422, `The ${what} is not valid.`, {
        errors: nul.map((field) => ({ field: field || `(${what})`, message: 'must not contain NUL characters' })),
      }),
    );
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new UnprocessableEntityException(
    problem(422, `The ${what} is not valid.`, {
      errors: result.error.issues.map((issue) => ({
        field: issue.path.join('.') || `(${what})`,
        message: issue.message,
      })),
    }),
  );
}

/** `@Body(new ZodPipe(schema))`: validates a body, query or param with zod (422 when invalid). */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.infer<S> {
    return parseInput(this.schema, value, metadata.type === 'custom' ? 'request' : metadata.type);
  }
}
