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
  ])('refuses %s with 400', (_, cursor) => {
    expect(() => decodeOrderCursor(cursor)).toThrow(BadRequestException);
    expect(() => decodeOrderCursor(cursor)).toThrow('The cursor is not one this API returned.');
  });
});
