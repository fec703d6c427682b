import { randomInt, randomUUID } from 'node:crypto';
import { adminQuery, uniqueId, waitFor } from '@commerce/testing';
import fc from 'fast-check';
import type { JWK } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deepJsonText,
  hostileCursor,
  hostileIdSegment,
  hostileJson,
  hostileNumber,
  hostileString,
  hugeJsonText,
  malformedJsonText,
} from './arbitraries.ts';
import { openStream, type OpenStream } from './stream.ts';
import { ADMIN, type HostileRequest, Target } from './target.ts';
import { claimsFor, forgedTokens, signWith } from './tokens.ts';

// One seed per run, printed with the table: ABUSE_SEED=<seed> replays exactly what was sent.
const SEED = process.env.ABUSE_SEED ? Number(process.env.ABUSE_SEED) : randomInt(2 ** 31 - 1);
// ABUSE_SCALE multiplies every property's runs (1: about 4,000 requests; 1.5 to 3 minutes on 2 busy cores).
const SCALE = Number(process.env.ABUSE_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));
let properties = 0;

/** Runs a property with this run's seed (one per property, so each replays by itself), no shrinking. */
async function property<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, check: (value: T) => Promise<void>) {
  // A failure names the request that failed; shrinking would send hundreds more to make it smaller.
  await fc.assert(fc.asyncProperty(arbitrary, check), {
    seed: SEED + properties++,
    numRuns: runs(numRuns),
    endOnFailure: true,
  });
}

/** A client address of its own (the apps believe X-Forwarded-For from loopback, as from the gateway). */
const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** Percent-encodes every byte of the UTF-8 form but the unreserved ones; lone surrogates too (as U+FFFD). */
const enc = (text: string) =>
  [...Buffer.from(text)]
    .map((byte) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

interface Customer {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

describe('the abuse suite: hostile input and a hostile network against the five apps', () => {
  let target: Target;
  let adminToken: string;
  let sku: string;
  let a: Customer;
  let b: Customer;
  let aOrder: string;
  let aNotifications: string[];
  let jwks: JWK[];

  const send = (req: HostileRequest) => target.send(req);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function login(email: string, password: string, from = address()) {
    const answer = await send({
      service: 'auth',
      method: 'POST',
      path: '/login',
      body: { email, password },
      headers: { 'x-forwarded-for': from },
    });
    expect(answer.status, `login ${email}: ${answer.text}`).toBe(200);
    return JSON.parse(answer.text) as { accessToken: string; refreshToken: string };
  }

  async function customer(): Promise<Customer> {
    const email = `${uniqueId('c')}@abuse.test`;
    const password = 'customer-password';
    const from = address();
    const registered = await send({
      service: 'auth',
      method: 'POST',
      path: '/register',
      body: { email, password, name: 'Customer' },
      headers: { 'x-forwarded-for': from },
    });
    expect(registered.status, registered.text).toBe(201);
    const tokens = await login(email, password, from);
    return {
      id: JSON.parse(registered.text).id,
      email,
      password,
      token: tokens.accessToken,
      refreshToken: tokens.refreshToken,
    };
  }

  async function place(who: Customer): Promise<string> {
    const answer = await send({
      service: 'order',
      method: 'POST',
      path: '',
      body: { items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' },
      headers: bearer(who.token),
    });
    expect(answer.status, answer.text).toBe(202);
    return JSON.parse(answer.text).id;
  }

  async function sentNotifications(userId: string): Promise<string[]> {
    const rows = await adminQuery<{ id: string }>(
      target.stack.database,
      'SELECT id::text FROM notifications.notifications WHERE user_id = $1 AND sent_at IS NOT NULL',
      [userId],
    );
    return rows.map((r) => r.id);
  }

  beforeAll(async () => {
    target = await Target.open();
    adminToken = (await login(ADMIN.email, ADMIN.password)).accessToken;
    sku = uniqueId('SKU-');
    const created = await send({
      service: 'inventory',
      method: 'POST',
      path: '/products',
      body: { sku, name: `Product ${sku}`, priceCents: 1500, stock: 100_000 },
      headers: bearer(adminToken),
    });
    expect(created.status, created.text).toBe(201);
    await waitFor(
      async () =>
        (await adminQuery(target.stack.database, 'SELECT 1 FROM orders.catalog_products WHERE sku = $1', [sku]))
          .length === 1,
      { what: `the order app to know ${sku}` },
    );
    [a, b] = [await customer(), await customer()];
    aOrder = await place(a);
    await target.quiescent();
    aNotifications = await sentNotifications(a.id);
    expect(aNotifications.length).toBeGreaterThanOrEqual(2); // welcome, order received (and confirmed)
    jwks = JSON.parse((await send({ service: 'auth', method: 'GET', path: '/.well-known/jwks.json' })).text).keys;
  });

  afterAll(async () => {
    if (target) {
      console.log(`\n${target.tally.render(SEED)}\n`);
      await target.close();
    }
  });

  /** The routes that take a JSON body, each with a body of the right shape that still changes nothing. */
  function bodyRoutes(): Array<{
    name: string;
    req: Omit<HostileRequest, 'body'>;
    valid: Record<string, unknown>;
    perRequest?: () => Record<string, string>;
  }> {
    return [
      {
        name: 'POST /api/auth/register',
        req: { service: 'auth', method: 'POST', path: '/register' },
        // Taken: the duplicate check answers 409 (each request from its own address, past the limit's reach).
        valid: { email: a.email, password: 'a-long-password', name: 'Name' },
        perRequest: () => ({ 'x-forwarded-for': address() }),
      },
      {
        name: 'POST /api/auth/login',
        req: { service: 'auth', method: 'POST', path: '/login' },
        valid: { email: b.email, password: 'wrong-password' },
        perRequest: () => ({ 'x-forwarded-for': address() }),
      },
      {
        name: 'POST /api/auth/refresh',
        req: { service: 'auth', method: 'POST', path: '/refresh' },
        valid: { refreshToken: randomUUID() },
      },
      {
        name: 'POST /api/auth/logout',
        req: { service: 'auth', method: 'POST', path: '/logout' },
        valid: { refreshToken: randomUUID() },
      },
      {
        name: 'POST /api/orders',
        // A sku the catalog does not know: a body of the right shape is a 422 for its item.
        req: { service: 'order', method: 'POST', path: '', headers: bearer(b.token) },
        valid: { items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }], paymentToken: 'tok_ok' },
      },
      {
        name: 'POST /api/orders/:id/cancel',
        req: { service: 'order', method: 'POST', path: `/${aOrder}/cancel`, headers: bearer(b.token) },
        valid: {},
      },
      {
        name: 'POST /api/inventory/products',
        // Its sku exists: a body of the right shape is a 409.
        req: { service: 'inventory', method: 'POST', path: '/products', headers: bearer(adminToken) },
        valid: { sku, name: 'Name', priceCents: 100, currency: 'USD', stock: 1 },
      },
      {
        name: 'PATCH /api/inventory/products/:sku',
        req: { service: 'inventory', method: 'PATCH', path: '/products/NO-SUCH-SKU', headers: bearer(adminToken) },
        valid: { name: 'Name', priceCents: 100 },
      },
      {
        name: 'POST /api/inventory/products/:sku/restock',
        req: {
          service: 'inventory',
          method: 'POST',
          path: '/products/NO-SUCH-SKU/restock',
          headers: bearer(adminToken),
        },
        valid: { quantity: 1 },
      },
    ];
  }

  it('bodies: every field of every body replaced, added or nested with hostile JSON', async () => {
    for (const route of bodyRoutes()) {
      const fields = Object.keys(route.valid);
      const mutated = fc.oneof(
        // One field hostile, the rest as they should be.
        fc
          .tuple(fc.constantFrom(...(fields.length ? fields : ['x'])), hostileJson)
          .map(([field, value]) => ({ ...route.valid, [field]: value })),
        // A field too many (bodies are strict), prototype keys included.
        fc
          .tuple(
            fc.constantFrom('extra', '__proto__', 'constructor', 'roles', 'admin', 'customerId', 'id'),
            hostileJson,
          )
          .map(([field, value]) =>
            JSON.parse(
              `{${JSON.stringify(field)}:${JSON.stringify(value) ?? 'null'},${JSON.stringify(route.valid).slice(1)}`.replace(
                /,}$/,
                '}',
              ),
            ),
          ),
        // The whole body hostile.
        hostileJson,
        // A number at or past a limit in every numeric field at once.
        hostileNumber.map((n) =>
          Object.fromEntries(fields.map((f) => [f, typeof route.valid[f] === 'number' ? n : route.valid[f]])),
        ),
        // Order items at and past their limits (1–50 lines, quantity 1–1,000, each sku once).
        fc.tuple(fc.integer({ min: 0, max: 60 }), hostileNumber, fc.boolean()).map(([n, quantity, same]) => ({
          ...route.valid,
          items: Array.from({ length: n }, (_, i) => ({ sku: same ? 'NO-SUCH-SKU' : `NO-SUCH-${i}`, quantity })),
        })),
      );
      await property(mutated, 90, async (body) => {
        await target.hostile('body: hostile JSON fields', {
          ...route.req,
          headers: { ...route.req.headers, ...route.perRequest?.() },
          raw: JSON.stringify(body) ?? 'null',
        });
      });
    }
  });

  it('bodies: nesting 1 to 20,000 deep, bodies around the size limit, malformed JSON and other content types', async () => {
    for (const route of bodyRoutes()) {
      await property(deepJsonText, 24, async (raw) => {
        const answer = await target.hostile('body: deep nesting', {
          ...route.req,
          headers: { ...route.req.headers, ...route.perRequest?.() },
          raw,
        });
        if (raw.length > 1000)
          expect([400, 413], `${route.name}, ${raw.length} bytes of nesting`).toContain(answer.status);
      });
      await property(hugeJsonText, 6, async (raw) => {
        const answer = await target.hostile('body: size limit', {
          ...route.req,
          headers: { ...route.req.headers, ...route.perRequest?.() },
          raw,
        });
        if (raw.length > 102_400) expect(answer.status, `${route.name}, ${raw.length} bytes`).toBe(413);
      });
      await property(
        fc.tuple(
          malformedJsonText,
          fc.constantFrom(
            'application/json',
            'application/json; charset=utf-16',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            'application/xml',
            '',
          ),
        ),
        15,
        async ([raw, type]) => {
          await target.hostile('body: malformed JSON, other types', {
            ...route.req,
            headers: { ...route.req.headers, ...route.perRequest?.(), 'content-type': type },
            raw,
          });
        },
      );
    }
  });

  it('queries: every list and lookup with hostile limits, statuses, cursors (base64 of any JSON) and ids', async () => {
    const routes: Array<{
      service: HostileRequest['service'];
      path: string;
      keys: string[];
      token?: string;
      n: number;
    }> = [
      { service: 'order', path: '', keys: ['status', 'limit', 'cursor'], token: b.token, n: 380 },
      { service: 'inventory', path: '/products', keys: ['limit', 'cursor'], n: 120 },
      { service: 'payment', path: '', keys: ['orderId'], token: b.token, n: 120 },
      { service: 'notification', path: '', keys: ['limit'], token: b.token, n: 60 },
      { service: 'notification', path: '/stream', keys: ['access_token'], n: 60 },
    ];
    // The edges of what PostgreSQL stores, every run, in a cursor shaped as the API writes one.
    for (const at of [
      '0000-01-01T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '2024-12-31T23:59:60.000Z',
    ]) {
      for (const id of [aOrder, '00000000-0000-0000-0000-000000000000', '-'.repeat(36)]) {
        const cursor = Buffer.from(JSON.stringify([at, id])).toString('base64url');
        await target.hostile('query: limits, cursors, ids', {
          service: 'order',
          method: 'GET',
          path: `?cursor=${cursor}`,
          headers: bearer(b.token),
        });
      }
    }
    for (const route of routes) {
      const value = fc.oneof(
        hostileString,
        hostileNumber.map(String),
        hostileCursor,
        fc.constantFrom('PENDING', 'CONFIRMED', 'pending', aOrder, aOrder.toUpperCase(), ` ${aOrder}`),
      );
      const query = fc
        .array(
          fc.tuple(
            fc.oneof(fc.constantFrom(...route.keys), fc.constantFrom('cursor[a]', 'limit[]', '__proto__', 'x', '')),
            value,
          ),
          {
            minLength: 1,
            maxLength: 4,
          },
        )
        // Each value cut to 2,000 characters encoded: a request head past Node's 16 KB is refused before any app sees it.
        .map((pairs) => pairs.map(([k, v]) => `${enc(k)}=${enc(v).slice(0, 2000)}`).join('&'));
      await property(query, route.n, async (q) => {
        await target.hostile('query: limits, cursors, ids', {
          service: route.service,
          method: 'GET',
          path: `${route.path}?${q}`,
          headers: route.token ? bearer(route.token) : {},
        });
      });
    }
  });

  it('path parameters: ids of 36 dashes, almost-uuids, NUL, traversal and broken escapes', async () => {
    const routes: Array<{
      service: HostileRequest['service'];
      method: string;
      path: (id: string) => string;
      token: () => string;
    }> = [
      { service: 'order', method: 'GET', path: (id) => `/${id}`, token: () => b.token },
      { service: 'order', method: 'GET', path: (id) => `/${id}/history`, token: () => b.token },
      { service: 'order', method: 'POST', path: (id) => `/${id}/cancel`, token: () => b.token },
      { service: 'inventory', method: 'GET', path: (id) => `/products/${id}`, token: () => b.token },
      { service: 'inventory', method: 'PATCH', path: (id) => `/products/${id}`, token: () => adminToken },
      { service: 'inventory', method: 'POST', path: (id) => `/products/${id}/restock`, token: () => adminToken },
    ];
    const segment = fc.oneof(
      hostileIdSegment.map(enc),
      fc.constantFrom(
        '%',
        '%zz',
        '%00',
        '%2F',
        '%252F',
        '..',
        '%2e%2e',
        '.%2e',
        '%C0%AE',
        '%ED%A0%80',
        '%FF',
        'a%2Fb',
        ';x',
        'x?y=1',
        `${aOrder}%00`,
        `${aOrder}/`,
      ),
    );
    for (const route of routes) {
      await property(segment, 120, async (id) => {
        await target.hostile('params: ids and skus', {
          service: route.service,
          method: route.method,
          path: route.path(id),
          headers: bearer(route.token()),
          ...(route.method === 'GET'
            ? {}
            : { body: route.path('').endsWith('restock') ? { quantity: 1 } : { name: 'Name' } }),
        });
      });
    }
  });

  it('headers: Authorization, Idempotency-Key, X-Correlation-Id, X-Forwarded-For and Content-Type at their limits and past them', async () => {
    const latin1 = hostileString.map((s) =>
      // What Node's client will send in a header (raw bytes Node refuses go over a socket, below).
      s.replace(/[^\t\x20-\x7e\x80-\xff]/g, (c) => (c.codePointAt(0)! % 2 ? '\u00e9' : '?')),
    );
    const headers = fc.record(
      {
        authorization: fc.oneof(
          latin1.map((s) => `Bearer ${s}`),
          latin1,
          fc.constantFrom(
            `bearer ${b.token}`,
            `Bearer  ${b.token}`,
            `Bearer ${b.token} ${b.token}`,
            `Basic ${Buffer.from('a:b').toString('base64')}`,
            'Bearer',
            `Bearer ${b.token}x`,
          ),
        ),
        'idempotency-key': fc.oneof(latin1, fc.constantFrom('k'.repeat(200), 'k'.repeat(201), 'a b', '\u00ff')),
        'x-correlation-id': fc.oneof(latin1, fc.constantFrom('c'.repeat(128), 'c'.repeat(129), 'a\u0000b')),
        'x-forwarded-for': fc.oneof(
          latin1,
          fc.constantFrom('::1', '0.0.0.0', '999.999.999.999', `${'1.1.1.1, '.repeat(500)}1.1.1.1`, 'unknown'),
        ),
        'content-type': fc.constantFrom(
          'application/json',
          'application/json; charset=latin1',
          'application/json; charset=utf-32',
          'text/json',
          'application/vnd.api+json',
          '*/*',
        ),
        accept: fc.constantFrom('text/event-stream', 'application/xml', '*/*', ''),
      },
      { requiredKeys: [] },
    );
    const routes: Array<HostileRequest> = [
      {
        service: 'order',
        method: 'POST',
        path: '',
        body: { items: [{ sku: 'NO-SUCH-SKU', quantity: 1 }], paymentToken: 'tok_ok' },
      },
      { service: 'order', method: 'GET', path: '' },
      { service: 'order', method: 'GET', path: `/${aOrder}` },
      { service: 'auth', method: 'GET', path: '/me' },
      { service: 'auth', method: 'GET', path: '/verify' },
      { service: 'payment', method: 'GET', path: `?orderId=${aOrder}` },
      { service: 'notification', method: 'GET', path: '' },
      { service: 'inventory', method: 'POST', path: `/products/${sku}/restock`, body: { quantity: 0 } },
    ];
    await property(fc.tuple(fc.constantFrom(...routes), headers), 450, async ([route, extra]) => {
      const answer = await target.hostile('headers', {
        ...route,
        headers: { ...bearer(b.token), ...extra } as Record<string, string>,
      });
      // Whatever the client sends, a customer never acts as an admin, nor reads another's order.
      const sent = answer.status !== 0;
      if (sent && (route.service === 'inventory' || route.path === `/${aOrder}` || route.path.includes('orderId')))
        expect(answer.status, `${route.method} ${route.path} as b`).toBeGreaterThanOrEqual(400);
    });
  });

  it('the wire: requests no HTTP client sends (NUL and bare CR in headers, two lengths, lying chunks, oversized heads)', async () => {
    const routes: Array<{ service: HostileRequest['service']; method: string; path: string }> = [
      { service: 'order', method: 'POST', path: '/api/orders' },
      { service: 'order', method: 'GET', path: `/api/orders/${aOrder}` },
      { service: 'auth', method: 'POST', path: '/api/auth/login' },
      { service: 'auth', method: 'POST', path: '/api/auth/register' },
      { service: 'inventory', method: 'POST', path: `/api/inventory/products/${sku}/restock` },
      { service: 'payment', method: 'GET', path: `/api/payments?orderId=${aOrder}` },
      { service: 'notification', method: 'GET', path: '/api/notifications/stream' },
    ];
    const token = (route: { service: string }) => (route.service === 'inventory' ? adminToken : b.token);
    const body = '{"items":[{"sku":"NO-SUCH-SKU","quantity":1}],"paymentToken":"tok_ok"}';
    const value = hostileString.map((v) => v.slice(0, 300));
    type Route = (typeof routes)[number];
    const shapes: Array<(r: Route, v: string) => string> = [
      (r, v) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nX-Correlation-Id: a\u0000${v}\r\n\r\n`,
      (r, v) => `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\rX-Evil: ${v}\r\n\r\n`,
      (r, v) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nX-Folded: a\r\n ${v}\r\n\r\n`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nContent-Length: 5\r\n\r\n${body}`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/orders HTTP/1.1\r\nHost: x\r\n\r\n`,
      (r, v) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${v.length > 3 ? 'zz' : 'ffffffffffffffff'}\r\n${body}\r\n0\r\n\r\n`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${(40_000).toString(16)}\r\n${'['.repeat(20_000)}${']'.repeat(20_000)}\r\n0\r\n\r\n`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n${body}`,
      (r, v) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nContent-Length: ${v.length % 2 ? '-1' : '1e3'}\r\n\r\n`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`).join('\r\n')}\r\nAuthorization: Bearer ${token(r)}\r\n\r\n`,
      (r) =>
        `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\nAuthorization: Bearer ${adminToken}\r\n\r\n`,
      (r, v) =>
        `${r.method} ${r.path.replace('/api', `/api/${v.replace(/[\s]/g, '')}/..`)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\n\r\n`,
      (r) =>
        `${r.method} http://evil.example${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(r)}\r\n\r\n`,
      (r) => `${r.method.toLowerCase()} ${r.path} HTTP/1.1\r\nHost: x\r\n\r\n`,
      (r) => `${r.method} ${r.path} HTTP/2.0\r\nHost: x\r\n\r\n`,
      (r) => `${r.method} ${r.path}\r\n\r\n`,
      (r, v) => `${r.method} ${r.path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${v}\r\n\r\n`,
    ];
    await property(
      fc.tuple(fc.constantFrom(...routes), fc.integer({ min: 0, max: shapes.length - 1 }), value),
      300,
      async ([route, shape, v]) => {
        const answer = await target.hostileRaw(
          'the wire: raw requests',
          route.service,
          Buffer.from(shapes[shape]!(route, v), 'latin1'),
        );
        // Whatever the bytes, b never acts as an admin nor reads a's order.
        if (route.service === 'inventory' || route.path.includes(aOrder))
          expect(answer.text).not.toMatch(/^HTTP\/1\.1 2/);
      },
    );
  });

  it('tokens: alg none, HS256 with the public key, wrong iss/aud, no sub, embedded jwk, expired, rotated-out key: 401 on every route', async () => {
    const forged = await forgedTokens(target.keys.currentPem, jwks, a.id);
    const routes: HostileRequest[] = [
      { service: 'auth', method: 'GET', path: '/me' },
      { service: 'auth', method: 'GET', path: '/verify' },
      { service: 'order', method: 'GET', path: '' },
      { service: 'order', method: 'GET', path: `/${aOrder}` },
      { service: 'order', method: 'GET', path: `/${aOrder}/history` },
      { service: 'order', method: 'POST', path: `/${aOrder}/cancel` },
      { service: 'order', method: 'POST', path: '', body: { items: [{ sku, quantity: 1 }], paymentToken: 'tok_ok' } },
      { service: 'payment', method: 'GET', path: `?orderId=${aOrder}` },
      { service: 'notification', method: 'GET', path: '' },
      { service: 'notification', method: 'GET', path: '/stream' },
      {
        service: 'inventory',
        method: 'POST',
        path: '/products',
        body: { sku: uniqueId('SKU-'), name: 'x', priceCents: 1, stock: 1 },
      },
      { service: 'inventory', method: 'PATCH', path: `/products/${sku}`, body: { priceCents: 1 } },
      { service: 'inventory', method: 'POST', path: `/products/${sku}/restock`, body: { quantity: 1 } },
    ];
    const failures: string[] = [];
    for (const { kind, token } of forged) {
      for (const route of routes) {
        const answer = await target.hostile('tokens: forged', { ...route, headers: bearer(token) });
        if (answer.status !== 401)
          failures.push(`${kind}: ${route.method} ${route.service}${route.path} -> ${answer.status}`);
      }
      const viaQuery = await target.hostile('tokens: forged', {
        service: 'notification',
        method: 'GET',
        path: `/stream?access_token=${enc(token)}`,
      });
      if (viaQuery.status !== 401) failures.push(`${kind}: stream ?access_token= -> ${viaQuery.status}`);
    }
    expect(failures).toEqual([]);
    // The controls: auth's own key and the rotated-out previous one (still in the JWKS) are accepted.
    for (const pem of [target.keys.currentPem, target.keys.previousPem]) {
      const answer = await target.hostile('tokens: controls', {
        service: 'order',
        method: 'GET',
        path: '',
        headers: bearer(await signWith(pem, claimsFor(b.id))),
      });
      expect(answer.status, answer.text).toBe(200);
    }
  });

  it("tokens: auth's own key with fuzzed claims never gives a 5xx, nor another customer's data", async () => {
    const claims = fc.record({
      sub: fc.oneof(
        hostileString,
        fc.uuid(),
        fc.constant('-'.repeat(36)),
        fc.constant(a.id.toUpperCase()),
        fc.constant(` ${a.id}`),
      ),
      roles: fc.oneof(hostileJson, fc.constant(['customer']), fc.constant(['CUSTOMER', 'Admin']), fc.constant('admin')),
      email: hostileJson,
      exp: fc.oneof(hostileNumber, hostileString, fc.constant(Math.floor(Date.now() / 1000) + 600)),
      iat: fc.oneof(hostileNumber, fc.constant(Math.floor(Date.now() / 1000))),
      aud: fc.oneof(fc.constant('commerce'), fc.constant(['commerce', 'other']), fc.constant(['other'])),
    });
    const routes: HostileRequest[] = [
      { service: 'auth', method: 'GET', path: '/me' },
      { service: 'order', method: 'GET', path: '' },
      { service: 'order', method: 'GET', path: `/${aOrder}` },
      { service: 'payment', method: 'GET', path: `?orderId=${aOrder}` },
      { service: 'notification', method: 'GET', path: '' },
    ];
    await property(fc.tuple(fc.constantFrom(...routes), claims), 300, async ([route, c]) => {
      const token = await signWith(target.keys.currentPem, { iss: 'commerce-auth', ...c } as never);
      const answer = await target.hostile('tokens: fuzzed claims', { ...route, headers: bearer(token) });
      if (c.sub !== a.id && (route.path === `/${aOrder}` || route.path.includes('orderId')) && answer.status === 200) {
        // Only an admin reads another customer's order: the token must say so exactly.
        expect(c.roles, `read a's order with sub ${JSON.stringify(c.sub)}`).toContain('admin');
      }
    });
  });

  it("IDOR: another customer's order, history, cancel, payment, notifications and stream are not found", async () => {
    const asB = (req: HostileRequest) => target.hostile('IDOR', { ...req, headers: bearer(b.token) });
    const variants = [aOrder, aOrder.toUpperCase(), enc(` ${aOrder}`), `${aOrder}%20`];
    for (const id of variants) {
      // Not found, as if it did not exist; a spelling that is not an id may be refused as one (422).
      const notFound = id === aOrder ? [404] : [404, 422];
      for (const path of [`/${id}`, `/${id}/history`])
        expect((await asB({ service: 'order', method: 'GET', path })).status, path).toBeOneOf(notFound);
      expect((await asB({ service: 'order', method: 'POST', path: `/${id}/cancel` })).status).toBeOneOf(notFound);
      expect((await asB({ service: 'payment', method: 'GET', path: `?orderId=${id}` })).status).toBeOneOf(notFound);
    }
    const list = JSON.parse((await asB({ service: 'order', method: 'GET', path: '?limit=100' })).text);
    expect(list.items.map((o: { id: string }) => o.id)).not.toContain(aOrder);
    const notes = JSON.parse((await asB({ service: 'notification', method: 'GET', path: '?limit=100' })).text);
    expect(notes.map((n: { id: string }) => n.id).filter((id: string) => aNotifications.includes(id))).toEqual([]);
    // An admin reads any order but cancels only their own.
    const cancel = await target.hostile('IDOR', {
      service: 'order',
      method: 'POST',
      path: `/${aOrder}/cancel`,
      headers: bearer(adminToken),
    });
    expect(cancel.status).toBeOneOf([403, 409]);

    // b's stream sees nothing of a's, while a's own stream (the control) sees a's new order.
    const url = target.stack.url('notification');
    const [aStream, bStream] = [
      await openStream(`${url}/stream`, bearer(a.token)),
      await openStream(`${url}/stream`, bearer(b.token)),
    ];
    try {
      expect([aStream.status, bStream.status]).toEqual([200, 200]);
      const order = await place(a);
      target.invalidate();
      await waitFor(() => aStream.frames().some((f) => f.data?.includes(order)), {
        what: "a's stream to show a's new order",
      });
      expect(bStream.frames().filter((f) => f.event === 'notification')).toEqual([]);
      expect(bStream.text()).not.toContain(order);
      target.tally.tried('IDOR', 1);
    } finally {
      aStream.close();
      bStream.close();
    }
  });

  it('login limits: per (email, address), per address, on every path that reaches login; 429 with Retry-After', async () => {
    const victim = await customer();
    const attacker = address();
    const paths = ['/login', '/login/', '/LOGIN', '/Login/'];
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const answer = await target.hostile('limits: login', {
        service: 'auth',
        method: 'POST',
        path: paths[i % paths.length]!,
        body: { email: victim.email, password: 'wrong-password' },
        headers: { 'x-forwarded-for': attacker },
      });
      statuses.push(answer.status);
      if (answer.status === 429) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The attacker's address is locked out even with the right password; the owner's own is not.
    const locked = await target.hostile('limits: login', {
      service: 'auth',
      method: 'POST',
      path: '/login',
      body: { email: victim.email, password: victim.password },
      headers: { 'x-forwarded-for': attacker },
    });
    expect(locked.status).toBe(429);
    await login(victim.email, victim.password, address());
    target.invalidate();

    // One address trying many emails is stopped too.
    const sprayer = address();
    const spray: number[] = [];
    for (let i = 0; i < 21; i++) {
      const answer = await target.hostile('limits: login', {
        service: 'auth',
        method: 'POST',
        path: '/login',
        body: { email: `${uniqueId('nobody')}@abuse.test`, password: 'wrong-password' },
        headers: { 'x-forwarded-for': sprayer },
      });
      spray.push(answer.status);
    }
    expect(spray.at(-1)).toBe(429);
    expect(spray.slice(0, 20).every((s) => s === 401)).toBe(true);
  });

  it('register limit: per address, 429 with Retry-After, and no user made past it', async () => {
    const from = address();
    const statuses: number[] = [];
    let retryAfter: string | string[] | undefined;
    for (let i = 0; i < 11; i++) {
      const answer = await target.hostile('limits: register', {
        service: 'auth',
        method: 'POST',
        path: i % 2 ? '/register/' : '/REGISTER',
        body: { email: `${uniqueId('r')}@abuse.test`, password: 'a-long-password', name: 'Mail bomb <b>' },
        headers: { 'x-forwarded-for': from },
      });
      statuses.push(answer.status);
      retryAfter = answer.headers['retry-after'];
    }
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  describe('SSE', () => {
    let url: string;
    let viewer: Customer;
    beforeAll(async () => {
      url = `${target.stack.url('notification')}/stream`;
      viewer = await customer();
      target.invalidate();
    });

    it('a user holds at most SSE_MAX_STREAMS_PER_USER streams: 429 with Retry-After beyond, room again once one closes', async () => {
      const streams: OpenStream[] = [];
      try {
        for (;;) {
          const stream = await openStream(url, bearer(viewer.token));
          target.tally.record('SSE', stream.status, false, false);
          streams.push(stream);
          if (stream.status !== 200) break;
          expect(streams.length, 'streams one user may open').toBeLessThanOrEqual(50);
        }
        const refused = streams.at(-1)!;
        expect(refused.status).toBe(429);
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
        streams.shift()!.close();
        await waitFor(
          async () => {
            const again = await openStream(`${url}?access_token=${viewer.token}`);
            streams.push(again);
            target.tally.record('SSE', again.status, false, false);
            return again.status === 200;
          },
          { what: 'a closed stream to make room for another' },
        );
      } finally {
        for (const stream of streams) stream.close();
      }
    });

    it('a stream ends when its token expires', async () => {
      // A token of auth's own key that lives 4 s more (still valid when a busy machine gets to it).
      const expiring = await openStream(url, bearer(await signWith(target.keys.currentPem, claimsFor(viewer.id, 4))));
      target.tally.record('SSE', expiring.status, false, false);
      try {
        expect(expiring.status).toBe(200);
        await waitFor(() => expiring.ended(), { what: 'the stream to end when its token expires', timeoutMs: 12_000 });
        expect(expiring.frames().at(-1)?.event, 'the last event says why').toBe('token-expired');
      } finally {
        expiring.close();
      }
    });

    it('a stream ends at logout of the login its token came from', async () => {
      const session = await login(viewer.email, viewer.password);
      const stream = await openStream(url, bearer(session.accessToken));
      target.tally.record('SSE', stream.status, false, false);
      try {
        expect(stream.status).toBe(200);
        const logout = await send({
          service: 'auth',
          method: 'POST',
          path: '/logout',
          body: { refreshToken: session.refreshToken },
        });
        expect(logout.status).toBe(204);
        await waitFor(() => stream.ended(), { what: 'the stream to end at logout', timeoutMs: 8000 });
      } finally {
        stream.close();
        target.invalidate();
      }
    });

    it("a stream ends when its token's family is revoked (a spent refresh token presented again)", async () => {
      const first = await login(viewer.email, viewer.password);
      const rotated = JSON.parse(
        (await send({ service: 'auth', method: 'POST', path: '/refresh', body: { refreshToken: first.refreshToken } }))
          .text,
      );
      const stream = await openStream(url, bearer(rotated.accessToken));
      target.tally.record('SSE', stream.status, false, false);
      try {
        expect(stream.status).toBe(200);
        const replay = await send({
          service: 'auth',
          method: 'POST',
          path: '/refresh',
          body: { refreshToken: first.refreshToken },
        });
        target.tally.record('SSE', replay.status, false, false);
        expect(replay.status).toBe(401);
        await waitFor(() => stream.ended(), {
          what: "the stream to end when its token's family is revoked",
          timeoutMs: 8000,
        });
      } finally {
        stream.close();
        target.invalidate();
      }
    });
  });

  it("NOTIFY: forged payloads from another app's role reach no stream; what the channels carry is no one's data", async () => {
    const url = `${target.stack.url('notification')}/stream`;
    const victim = await customer();
    await target.quiescent();
    const [ownNotification] = await sentNotifications(victim.id);
    const stream = await openStream(url, bearer(victim.token));
    expect(stream.status).toBe(200);
    // The order app's role: any role may NOTIFY on any channel of the database.
    const intruder = new pg.Client({ connectionString: target.stack.database.urlFor('order') });
    intruder.on('error', () => undefined);
    await intruder.connect();
    try {
      const channels = [
        'notifications.sent_notification_ids',
        'notifications.notification_sent',
        'notifications.notifications_sent',
        'notifications.notification_pending',
        'notification_sent',
        'notifications_sent',
      ];
      const marker = `FORGED-${randomUUID()}`;
      const forgedFrame = (id: string) => ({
        id,
        userId: victim.id,
        type: 'WELCOME',
        subject: marker,
        sentAt: new Date().toISOString(),
      });
      const payload = fc.oneof(
        fc.constant(JSON.stringify(forgedFrame(randomUUID()))),
        fc.constant(
          JSON.stringify(forgedFrame(`${randomUUID()}\n\nevent: notification\ndata: {"subject":"${marker}"}`)),
        ),
        fc.constant(JSON.stringify({ ...forgedFrame(randomUUID()), notification: forgedFrame(randomUUID()) })),
        fc.constant(JSON.stringify({ origin: randomUUID(), ids: [randomUUID()] })),
        fc.constant(JSON.stringify({ origin: randomUUID(), ids: ['-'.repeat(36)] })),
        fc.constant(JSON.stringify({ origin: randomUUID(), ids: [`${randomUUID()}\n\ndata: ${marker}`] })),
        fc.constant(JSON.stringify({ origin: randomUUID(), ids: [randomUUID()], userId: victim.id, subject: marker })),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        // (PostgreSQL refuses a payload of 8,000 bytes or more itself.)
        hostileString.map((s) => s.replaceAll('\u0000', '').slice(0, 1900) + marker),
        fc.constant('x'.repeat(7990)),
      );
      try {
        const before = await target.unchanged();
        expect(before).toEqual([]);
        await property(fc.tuple(fc.constantFrom(...channels), payload), 150, async ([channel, p]) => {
          await intruder.query('SELECT pg_notify($1, $2)', [channel, p]);
          target.tally.tried('NOTIFY: forged payloads');
        });
        // A forged wake-up may make a dispatcher look for work; it finds none, and writes nothing.
        const changed = await target.unchanged();
        if (changed.length > 0) target.tally.stateChanged('NOTIFY: forged payloads');
        expect(changed, 'tables the forged NOTIFYs changed').toEqual([]);
        // The control: a real notification of the victim's own reaches the stream, after every forged one.
        const order = await place(victim);
        target.invalidate();
        await waitFor(() => stream.frames().some((f) => f.data?.includes(order)), {
          what: "the victim's real notification on the stream",
        });
        // The frames first, then the victim's sent notifications: a frame is written only after its
        // row is marked sent, so every frame read here is in what is read next, while a later email
        // (the order's confirmation) may still be arriving on the stream.
        const frames = stream.frames();
        const real = new Set(await sentNotifications(victim.id));
        expect(stream.text()).not.toContain(marker);
        // Every notification is one of the victim's own sent ones (a replayed id could repeat one, never invent one).
        const notifications = frames.filter((f) => (f.event ?? 'message') === 'notification' || f.event === 'message');
        expect(notifications.filter((f) => !real.has(f.id ?? '') || !real.has(JSON.parse(f.data ?? '{}').id))).toEqual(
          [],
        );
        expect(ownNotification).toBeDefined();
      } finally {
        stream.close();
      }

      // What another role hears on the channels: ids at most, never an email, a subject or a user.
      const heard: string[] = [];
      intruder.on('notification', (message) => heard.push(`${message.channel} ${message.payload}`));
      for (const channel of channels) await intruder.query(`LISTEN ${intruder.escapeIdentifier(channel)}`);
      const order = await place(victim);
      target.invalidate();
      await target.quiescent();
      target.tally.tried('NOTIFY: eavesdropping', heard.length);
      expect(heard.length, 'the channels were listened to while notifications were sent').toBeGreaterThan(0);
      for (const message of heard) {
        expect(message).not.toContain(victim.email);
        expect(message).not.toContain(victim.id);
        expect(message).not.toContain(order);
        expect(message).not.toMatch(/subject|Order|email/i);
      }
    } finally {
      // Ended whatever failed: left open, the database's drop would kill it under the test.
      await intruder.end().catch(() => undefined);
    }
  });

  it('adds up: at least 2,000 hostile requests, no 5xx, no unintended state change', () => {
    const total = target.tally.totals();
    expect(total.s5xx).toBe(0);
    expect(total.stateChanges).toBe(0);
    expect(total.sent).toBeGreaterThanOrEqual(2000 * Math.min(1, SCALE));
  });
});
