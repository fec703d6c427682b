import { BadRequestException } from '@nestjs/common';

/** Where a page of orders ends: the (createdAt, id) of its last order. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

/** Cursors are opaque to clients: base64url of the last order's [createdAt, id]. */
export function encodeOrderCursor(last: { createdAt: string; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt, last.id])).toString('base64url');
}

/** Reads a cursor this API returned; anything else is 400. */
export function decodeOrderCursor(cursor: string): OrderCursor {
  const read = readCursor(cursor);
  if (!read) throw new BadRequestException('The cursor is not one this API returned.');
  return read;
}

// Stryker disable BlockStatement: an emptied catch returns undefined all the same (an equivalent mutant).
function readCursor(cursor: string): OrderCursor | undefined {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(createdAt);
    return !Number.isNaN(date.getTime()) && /^[0-9a-f-]{36}$/.test(id) ? { createdAt: date, id } : undefined;
  } catch {
    return undefined;
  }
}
// Stryker restore BlockStatement
