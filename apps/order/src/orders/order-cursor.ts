import { BadRequestException } from '@nestjs/common';

/** Where a page of orders ends: the (createdAt, id) of its last order. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

// What encodeOrderCursor writes, and nothing else: a uuid as PostgreSQL prints one, and a time as
// toISOString() prints one within PostgreSQL's range (four-digit years; a sign and six digits are not,
// nor is the year 0000, which PostgreSQL does not have: 1 BC comes before 0001).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Cursors are opaque to clients: base64url of the last order's [createdAt, id]. */
export function encodeOrderCursor(last: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

/** Reads a cursor this API returned; anything else is 400, never a query PostgreSQL refuses. */
export function decodeOrderCursor(cursor: string): OrderCursor {
  const read = readCursor(cursor);
  if (!read) throw new BadRequestException('The cursor is not one this API returned.');
  return read;
}

// Stryker disable BlockStatement: an emptied catch returns undefined all the same (an equivalent mutant).
function readCursor(cursor: string): OrderCursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !ISO_INSTANT.test(createdAt) || !UUID.test(id))
      return undefined;
    const date = new Date(createdAt);
    // A date that does not exist (2026-02-30) parses to another day, or not at all.
    return !Number.isNaN(date.getTime()) && date.toISOString() === createdAt ? { createdAt: date, id } : undefined;
  } catch {
    return undefined;
  }
}
// Stryker restore BlockStatement
