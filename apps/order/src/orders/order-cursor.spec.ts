import { BadRequestException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { decodeOrderCursor, encodeOrderCursor } from './order-cursor.ts';

const id = '2b0e7c4e-8a35-4c52-9d6c-3f1f2b9c0a11';
const encoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the order cursor', () => {
  it('round-trips the last order of a page', () => {
    const cursor = encodeOrderCursor({ createdAt: '2026-11-30T10:00:00.123Z', id });
    expect(cursor).toBe(encoded(['2026-11-30T10:00:00.123Z', id]));
    expect(decodeOrderCursor(cursor)).toEqual({ createdAt: new Date('2026-11-30T10:00:00.123Z'), id });
  });

  it.each([
    ['not base64 JSON', 'garbage'],
    ['an empty string', ''],
    ['a date that is not one', encoded(['yesterday', id])],
    ['an id that is not a uuid', encoded(['2026-11-30T10:00:00.123Z', 'x'.repeat(36)])],
    ['an id with more after it', encoded(['2026-11-30T10:00:00.123Z', `${id}-extra`])],
    ['an id with less', encoded(['2026-11-30T10:00:00.123Z', id.slice(1)])],
    ['an id with more before it', encoded(['2026-11-30T10:00:00.123Z', `00${id}`])],
    ['a missing id', encoded(['2026-11-30T10:00:00.123Z'])],
    ['not an array', encoded({ createdAt: '2026-11-30T10:00:00.123Z', id })],
    ['an id of 36 dashes', encoded(['2026-11-30T10:00:00.123Z', '-'.repeat(36)])],
    ['an id of 36 hex digits without its dashes in place', encoded(['2026-11-30T10:00:00.123Z', 'a'.repeat(36)])],
    ['an id in capitals', encoded(['2026-11-30T10:00:00.123Z', id.toUpperCase()])],
    ['an id that is not a string', encoded(['2026-11-30T10:00:00.123Z', 42])],
    ['a date past what PostgreSQL stores', encoded(['+275760-09-13T00:00:00.000Z', id])],
    ['a date before what PostgreSQL stores', encoded(['-271821-04-20T00:00:00.000Z', id])],
    ['the year 0, which PostgreSQL does not have (1 BC is its year before 1)', encoded(['0000-12-31T23:59:59.999Z', id])],
    ['a day that does not exist', encoded(['2026-02-30T10:00:00.000Z', id])],
    ['a date without its time', encoded(['2026-11-30', id])],
    ['a date in another zone', encoded(['2026-11-30T10:00:00.123+01:00', id])],
    ['a date as a number', encoded([0, id])],
    ['more than the two parts', encoded(['2026-11-30T10:00:00.123Z', id, 'x'])],
  ])('refuses %s with 400', (_, cursor) => {
    expect(() => decodeOrderCursor(cursor)).toThrow(BadRequestException);
    expect(() => decodeOrderCursor(cursor)).toThrow('The cursor is not one this API returned.');
  });
});
