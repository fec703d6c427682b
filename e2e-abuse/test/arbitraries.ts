import fc from 'fast-check';

/** Lengths at and past every string limit of docs/contract.md (sku 64, key 200, email 254, password 256, …). */
const EDGE_LENGTHS = [
  0, 1, 9, 10, 35, 36, 37, 63, 64, 65, 99, 100, 101, 199, 200, 201, 254, 255, 256, 257, 1000, 10_000,
];

/** Strings an attacker tries: Unicode of every kind, NUL and control characters, and lengths at the limits. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 300 }),
  fc
    .constantFrom(...EDGE_LENGTHS)
    .chain((n) => fc.constantFrom('x', 'é', '😀', '-', '\u0000', '0').map((c) => c.repeat(n))),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    'tok_ok\u0000',
    '\uFEFF',
    '\u202Eevil',
    '\uD800',
    '\uDFFF\uD800',
    'A\r\nSet-Cookie: x=1',
    '\n\nevent: notification\ndata: {}',
    "' OR 1=1 --",
    '"; DROP TABLE orders; --',
    '../../../../etc/passwd',
    '%00',
    '%2e%2e%2f',
    '${jndi:ldap://x}',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '-'.repeat(36),
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '__proto__',
    'constructor',
    'NaN',
    'Infinity',
    '1e999',
    ' ',
    '\t',
  ),
);

/** Numbers at and beyond every numeric limit (quantity 1–1,000, limit 1–100/500, price 0–100,000,000, stock 2³¹−1, …). */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    1,
    2,
    49,
    50,
    51,
    99,
    100,
    101,
    499,
    500,
    501,
    999,
    1000,
    1001,
    1_000_000,
    1_000_001,
    100_000_000,
    100_000_001,
    2_000_000_000,
    2_000_000_001,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32,
    2 ** 53 - 1,
    2 ** 53,
    2 ** 53 + 2,
    2 ** 63,
    2 ** 64,
    -0,
    0.5,
    1.5,
    999.999,
    -(2 ** 31),
    -(2 ** 53),
    1e308,
    -1e308,
    Number.MIN_VALUE,
    Number.EPSILON,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A JSON value of any kind, hostile strings and numbers included. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 4 }),
  fc.array(fc.oneof(hostileString, hostileNumber), { maxLength: 60 }),
  fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype')), hostileString, {
    maxKeys: 5,
  }),
);

/** JSON numbers no JavaScript number holds, and texts that are almost JSON, as raw bodies. */
export const malformedJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '1e999',
    '-1e999',
    '{"items":[{"sku":"A","quantity":1e999}],"paymentToken":"t"}',
    '{"quantity":' + '9'.repeat(400) + '}',
    '{"a":0x10}',
    '{"a":NaN}',
    '{"a":Infinity}',
    "{'a':1}",
    '{"a":1,}',
    '[1,2,',
    '{"a":"\\ud800"}',
    '{"a":"\\u0000"}',
    '\uFEFF{}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '{"a":1,"a":2}',
    'null',
    'true',
    '""',
    '[]',
    '',
    ' ',
    '\u0000',
    '{"email":"a@b.c","password":"x","email":"x"}',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** Nesting far past HTTP_JSON_MAX_DEPTH (32), in few bytes: `[[[…]]]` or `{"a":{"a":…}}`, up to 20,000 deep. */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 30, max: 34 }), fc.integer({ min: 1000, max: 20_000 })),
    fc.constantFrom('array', 'object', 'mixed'),
    fc.boolean(),
  )
  .map(([depth, kind, closed]) => {
    const open = kind === 'array' ? '[' : kind === 'object' ? '{"a":' : '{"a":[';
    const close = kind === 'array' ? ']' : kind === 'object' ? '}' : ']}';
    return open.repeat(depth) + '1' + (closed ? close.repeat(depth) : '');
  });

/** Bodies around and past HTTP_BODY_LIMIT (100 kb): one huge string, or many small fields. */
export const hugeJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(50_000, 99_000, 102_390, 102_400, 102_410, 150_000, 1_000_000), fc.boolean())
  .map(([size, many]) =>
    many
      ? '{' + Array.from({ length: Math.floor(size / 12) }, (_, i) => `"k${i}":1`).join(',') + '}'
      : `{"name":"${'x'.repeat(size)}"}`,
  );

/**
 * Cursors shaped exactly as the orders list writes them (base64url of `[createdAt, id]`), with times
 * and ids at the edges of what PostgreSQL stores: year 0 (which it has not), 9999, a leap second.
 */
export const nearValidCursor: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(
        '0000-01-01T00:00:00.000Z',
        '0000-12-31T23:59:59.999Z',
        '0001-01-01T00:00:00.000Z',
        '9999-12-31T23:59:59.999Z',
        '1970-01-01T00:00:00.000Z',
        '2026-02-29T00:00:00.000Z',
        '2024-12-31T23:59:60.000Z',
      ),
      fc
        .date({
          min: new Date('0000-01-01T00:00:00.000Z'),
          max: new Date('9999-12-31T23:59:59.999Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString()),
    ),
    fc.oneof(
      fc.uuid(),
      fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'),
      fc.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
    ),
  )
  .map(([at, id]) => Buffer.from(JSON.stringify([at, id])).toString('base64url'));

/** Cursors: base64 and base64url of arbitrary JSON, 36 characters of dashes or hex, dates PostgreSQL cannot store. */
export const hostileCursor: fc.Arbitrary<string> = fc.oneof(
  nearValidCursor,
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64')),
  fc
    .record({
      id: fc.oneof(fc.uuid(), fc.constant('-'.repeat(36)), fc.stringMatching(/^[0-9a-f-]{36}$/), hostileString),
      createdAt: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom(
          '+275760-09-13T00:00:00.000Z',
          '-271821-04-20T00:00:00.000Z',
          '0000-01-01T00:00:00.000Z',
          '9999-12-31T23:59:59.999Z',
          'x',
        ),
        hostileNumber,
      ),
      at: fc.oneof(fc.constantFrom('+275760-09-13T00:00:00.000Z', '0000-01-01T00:00:00.000Z'), hostileString),
    })
    .chain((c) =>
      fc.constantFrom(
        Buffer.from(JSON.stringify(c)).toString('base64url'),
        Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url'),
        Buffer.from(`${c.createdAt}|${c.id}`).toString('base64url'),
        Buffer.from(`${c.at}_${c.id}`).toString('base64url'),
        `${c.createdAt}_${c.id}`,
      ),
    ),
  fc.stringMatching(/^[0-9a-f-]{36}$/),
  fc.constant('-'.repeat(36)),
  hostileString,
);

/** Path segments for an id or a sku: 36 characters of dashes, almost-uuids, encodings, traversal. */
export const hostileIdSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constant('-'.repeat(36)),
  fc.stringMatching(/^[0-9a-f-]{36}$/),
  fc.uuid({ version: [1, 2, 3, 4, 5, 6, 7, 8] }),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().map((u) => `${u}\u0000`),
  fc.uuid().map((u) => `{${u}}`),
  fc.uuid().map((u) => u.replaceAll('-', '')),
  hostileString,
);
