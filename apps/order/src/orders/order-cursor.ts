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
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new BadRequestException('The cursor is not one this API returned.');
  }
}
