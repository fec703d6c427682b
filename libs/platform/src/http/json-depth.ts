import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body parser's error `type` for a body nested deeper than the limit (problem-details.filter.ts). */
export const JSON_TOO_DEEP = 'entity.too.deep';

/** The error a body parser's `verify` throws for a body nested too deeply: 400, before it is parsed. */
export class JsonTooDeepError extends Error {
  readonly status = 400;
  readonly statusCode = 400;
  readonly expose = true;
  readonly type = JSON_TOO_DEEP;

  constructor(readonly maxDepth: number) {
    super(`The request body nests JSON objects and arrays more than ${maxDepth} levels deep.`);
    this.name = 'JsonTooDeepError';
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests objects and arrays more than `maxDepth` levels deep. One pass over the
 * raw UTF-8 bytes without parsing (brackets inside strings do not count), so it costs no more than
 * reading the body: JSON.parse takes 20,000 nested arrays, but whatever walks the value next
 * recursively (JSON.stringify, validation, logging) overflows the stack on it. Malformed text is
 * the parser's to refuse. UTF-8 only: no byte of a multi-byte sequence is an ASCII bracket or quote.
 */
export function jsonNestsDeeperThan(utf8: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < utf8.length; i++) {
    const byte = utf8[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** A JSON body in a charset whose depth cannot be checked (utf-32, which TextDecoder does not read): 415. */
class UncheckableCharsetError extends Error {
  readonly status = 415;
  readonly statusCode = 415;
  readonly expose = true;
  readonly type = 'charset.unsupported';
}

/**
 * A body parser's `verify` option that refuses JSON nested more than `maxDepth` levels (400), on the
 * raw body, before it is parsed. No parser option does this: body-parser and Express have `limit`
 * (bytes) only, and secure-json-parse guards against prototype poisoning, not depth. A UTF-16 body is
 * decoded first; UTF-32 (which JSON's RFC 8259 does not allow between systems either) is refused.
 */
export function verifyJsonDepth(
  maxDepth: number,
): (request: IncomingMessage, response: ServerResponse, body: Buffer, encoding: string | null) => void {
  return (_request, _response, body, encoding) => {
    if (jsonNestsDeeperThan(utf8Of(body, (encoding ?? 'utf-8').toLowerCase()), maxDepth))
      throw new JsonTooDeepError(maxDepth);
  };
}

function utf8Of(body: Buffer, charset: string): Uint8Array {
  if (charset === 'utf-8' || charset === 'utf8') return body;
  let text: string;
  try {
    text = new TextDecoder(charset).decode(body);
  } catch {
    throw new UncheckableCharsetError(`The request body's charset ${charset} is not accepted; send UTF-8.`);
  }
  return Buffer.from(text);
}
