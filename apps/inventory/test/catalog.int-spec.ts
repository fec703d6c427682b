import { PROBLEM_CONTENT_TYPE } from '@commerce/platform';
import { uniqueId } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventoryHarness } from './support.ts';

describe('the catalog over HTTP', () => {
  let inventory: InventoryHarness;
  const sku = (name: string) => `${name}-${uniqueId('')}`;

  beforeAll(async () => {
    inventory = await InventoryHarness.start();
  });
  afterAll(async () => {
    await inventory?.close();
  });

  /** Everything that a refused request must leave untouched. */
  const snapshot = () =>
    inventory.query(
      `SELECT (SELECT json_agg(p ORDER BY sku) FROM inventory.products p) AS products,
              (SELECT count(*) FROM inventory.outbox) AS events`,
    );

  it('creates a product for an admin (201) and publishes product.upserted keyed by sku', async () => {
    const id = sku('KB');
    const { status, body } = await inventory.call('POST', '/products', {
      token: 'admin',
      body: { sku: id, name: 'Keyboard', priceCents: 4999, stock: 7 },
    });
    expect(status).toBe(201);
    expect(body).toEqual({
      sku: id,
      name: 'Keyboard',
      priceCents: 4999,
      currency: 'USD',
      available: 7,
      reserved: 0,
      sold: 0,
    });

    const event = await inventory.outcome('product.upserted', id);
    expect(event).toMatchObject({
      key: id,
      aggregateId: id,
      eventType: 'product.upserted',
      data: { sku: id, name: 'Keyboard', priceCents: 4999, currency: 'USD' },
    });
    expect(await inventory.product(id)).toEqual(body);
  });

  it('keeps a given currency', async () => {
    const id = sku('EU');
    const { status, body } = await inventory.call('POST', '/products', {
      token: 'admin',
      body: { sku: id, name: 'Euro thing', priceCents: 0, currency: 'EUR', stock: 0 },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({ currency: 'EUR', priceCents: 0, available: 0 });
  });

  it('answers 409 problem+json for an sku that exists, and changes nothing', async () => {
    const id = sku('DUP');
    await inventory.createProduct(id, 3, { name: 'First' });
    const before = await snapshot();
    const { status, body, contentType } = await inventory.call('POST', '/products', {
      token: 'admin',
      body: { sku: id, name: 'Second', priceCents: 1, stock: 99 },
    });
    expect(status).toBe(409);
    expect(contentType).toContain(PROBLEM_CONTENT_TYPE);
    expect(body).toMatchObject({ status: 409, title: 'Conflict' });
    expect(body.detail).toContain(id);
    expect(await snapshot()).toEqual(before);
    expect(await inventory.product(id)).toMatchObject({ name: 'First', available: 3 });
  });

  it('refuses a customer (403), and no, a forged or an expired token (401), changing nothing', async () => {
    const id = sku('AUTH');
    await inventory.createProduct(id, 5);
    const before = await snapshot();
    const requests = [
      { method: 'POST', path: '/products', body: { sku: sku('NEW'), name: 'n', priceCents: 1, stock: 1 } },
      { method: 'PATCH', path: `/products/${id}`, body: { priceCents: 1 } },
      { method: 'POST', path: `/products/${id}/restock`, body: { quantity: 5 } },
    ];
    for (const request of requests) {
      const customer = await inventory.call(request.method, request.path, { token: 'customer', body: request.body });
      expect(customer.status, `${request.method} ${request.path} as a customer`).toBe(403);
      expect(customer.contentType).toContain(PROBLEM_CONTENT_TYPE);
      for (const token of [
        undefined,
        await inventory.issuer.forgedToken({ roles: ['admin'] }),
        await inventory.issuer.token({ roles: ['admin'], expiresIn: -10 }),
      ]) {
        const refused = await inventory.call(request.method, request.path, { token, body: request.body });
        expect(refused.status, `${request.method} ${request.path} with token ${String(token).slice(0, 12)}`).toBe(401);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers 422 naming the field for invalid bodies, and changes nothing', async () => {
    const before = await snapshot();
    const valid = { sku: sku('OK'), name: 'Fine', priceCents: 100, stock: 1 };
    const cases: Array<[string, unknown, string]> = [
      ['an empty body', {}, 'sku'],
      ['a missing stock', { ...valid, stock: undefined }, 'stock'],
      ['a negative stock', { ...valid, stock: -1 }, 'stock'],
      ['a fractional stock', { ...valid, stock: 1.5 }, 'stock'],
      ['a stock as a string', { ...valid, stock: '5' }, 'stock'],
      ['a stock too large', { ...valid, stock: 1_000_001 }, 'stock'],
      ['an unknown field', { ...valid, discount: 5 }, '(body)'],
      ['an SQL-looking sku', { ...valid, sku: "x'; DROP TABLE products;--" }, 'sku'],
      ['an sku too long', { ...valid, sku: 'a'.repeat(65) }, 'sku'],
      ['an sku starting with a dash', { ...valid, sku: '-abc' }, 'sku'],
      ['an empty name', { ...valid, name: '   ' }, 'name'],
      ['a name too long', { ...valid, name: 'n'.repeat(201) }, 'name'],
      ['a negative price', { ...valid, priceCents: -1 }, 'priceCents'],
      ['a price too large', { ...valid, priceCents: 100_000_001 }, 'priceCents'],
      ['a lowercase currency', { ...valid, currency: 'usd' }, 'currency'],
      ['a body that is an array', [valid], '(body)'],
    ];
    for (const [what, body, field] of cases) {
      const response = await inventory.call('POST', '/products', { token: 'admin', body });
      expect(response.status, what).toBe(422);
      expect(response.contentType, what).toContain(PROBLEM_CONTENT_TYPE);
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        what,
      ).toContain(field);
    }
    expect(await snapshot()).toEqual(before);
    // The table is still there, and still answers.
    expect((await inventory.call('GET', '/products')).status).toBe(200);
  });

  it('changes name and price for an admin and publishes product.upserted again', async () => {
    const id = sku('PATCH');
    await inventory.createProduct(id, 4, { name: 'Old', priceCents: 100 });
    const renamed = await inventory.call('PATCH', `/products/${id}`, { token: 'admin', body: { name: 'New' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ sku: id, name: 'New', priceCents: 100, available: 4 });
    const repriced = await inventory.call('PATCH', `/products/${id}`, { token: 'admin', body: { priceCents: 250 } });
    expect(repriced.body).toMatchObject({ name: 'New', priceCents: 250 });

    await inventory.reader.waitFor(3, { filter: (m) => m.key === id });
    expect(inventory.published((e) => e.key === id).map((e) => e.data)).toEqual([
      { sku: id, name: 'Old', priceCents: 100, currency: 'USD' },
      { sku: id, name: 'New', priceCents: 100, currency: 'USD' },
      { sku: id, name: 'New', priceCents: 250, currency: 'USD' },
    ]);
  });

  it('refuses an empty, unknown-field or invalid PATCH (422) and an unknown sku (404)', async () => {
    const id = sku('P422');
    await inventory.createProduct(id, 1);
    const before = await snapshot();
    for (const body of [{}, { currency: 'EUR' }, { stock: 5 }, { priceCents: -5 }, { name: '' }]) {
      expect((await inventory.call('PATCH', `/products/${id}`, { token: 'admin', body })).status).toBe(422);
    }
    const missing = await inventory.call('PATCH', `/products/${sku('NOPE')}`, { token: 'admin', body: { name: 'x' } });
    expect(missing.status).toBe(404);
    expect(missing.contentType).toContain(PROBLEM_CONTENT_TYPE);
    expect(await snapshot()).toEqual(before);
  });

  it('restocks (counted apart from the initial stock) and publishes nothing', async () => {
    const id = sku('RS');
    await inventory.createProduct(id, 2);
    const { status, body } = await inventory.call('POST', `/products/${id}/restock`, {
      token: 'admin',
      body: { quantity: 8 },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ sku: id, available: 10, reserved: 0, sold: 0 });
    expect(
      await inventory.query('SELECT initial_stock, restocked FROM inventory.products WHERE sku = $1', [id]),
    ).toEqual([{ initial_stock: 2, restocked: 8 }]);
    // Only the creation's event: the outbox is the one way out, so nothing else will be published.
    expect(await inventory.outboxOf(id)).toEqual([{ topic: 'product.upserted' }]);
  });

  it('refuses an invalid restock (422), an unknown sku (404) and one past the largest stock (409)', async () => {
    const id = sku('RS4');
    await inventory.createProduct(id, 1);
    for (const body of [{}, { quantity: 0 }, { quantity: -3 }, { quantity: 1_000_001 }, { quantity: 2, extra: 1 }]) {
      expect((await inventory.call('POST', `/products/${id}/restock`, { token: 'admin', body })).status).toBe(422);
    }
    const missing = await inventory.call('POST', `/products/${sku('NOPE')}/restock`, {
      token: 'admin',
      body: { quantity: 1 },
    });
    expect(missing.status).toBe(404);

    // A product near the integer limit of its columns (the balance kept, as the CHECK demands).
    await inventory.query(
      'UPDATE inventory.products SET initial_stock = 2147000000, available = 2147000000 WHERE sku = $1',
      [id],
    );
    const overflow = await inventory.call('POST', `/products/${id}/restock`, {
      token: 'admin',
      body: { quantity: 1_000_000 },
    });
    expect(overflow.status).toBe(409);
    expect(overflow.contentType).toContain(PROBLEM_CONTENT_TYPE);
    expect((await inventory.product(id)).available).toBe(2147000000);
  });

  it('lets anyone read a product; 404 for an unknown sku, 422 for what cannot be one', async () => {
    const id = sku('READ');
    await inventory.createProduct(id, 3, { name: 'Readable', priceCents: 42 });
    expect(await inventory.call('GET', `/products/${id}`)).toMatchObject({
      status: 200,
      body: { sku: id, name: 'Readable', priceCents: 42, currency: 'USD', available: 3, reserved: 0, sold: 0 },
    });
    const missing = await inventory.call('GET', `/products/${sku('NONE')}`);
    expect(missing.status).toBe(404);
    expect(missing.contentType).toContain(PROBLEM_CONTENT_TYPE);
    // Not an sku at all: SQL-looking text, a NUL character.
    for (const bad of ["x'; DROP TABLE products;--", 'a\u0000b']) {
      const refused = await inventory.call('GET', `/products/${encodeURIComponent(bad)}`);
      expect(refused.status).toBe(422);
      expect(refused.contentType).toContain(PROBLEM_CONTENT_TYPE);
    }
  });

  it('lists products in sku order, a page at a time', async () => {
    const group = `LIST-${uniqueId('')}`;
    const skus = ['c', 'a', 'e', 'b', 'd'].map((s) => `${group}-${s}`);
    for (const s of skus) await inventory.createProduct(s, 1);
    const all = await inventory.call('GET', '/products?limit=500');
    expect(all.status).toBe(200);
    const listed = (all.body.items as Array<{ sku: string }>).map((p) => p.sku);
    expect(listed).toEqual([...listed].sort());
    expect(Object.keys(all.body.items[0]).sort()).toEqual(
      ['available', 'currency', 'name', 'priceCents', 'reserved', 'sku', 'sold'].sort(),
    );

    // From just before the group, two at a time.
    const pages: string[][] = [];
    let cursor: string | null = `${group}-`;
    while (cursor && pages.length < 3) {
      const page = await inventory.call('GET', `/products?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(page.status).toBe(200);
      pages.push((page.body.items as Array<{ sku: string }>).map((p) => p.sku).filter((s) => s.startsWith(group)));
      cursor = page.body.nextCursor;
    }
    expect(pages.flat()).toEqual([...skus].sort());
    expect(pages[0]).toHaveLength(2);

    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'cursor=%27%3B', 'other=1']) {
      expect((await inventory.call('GET', `/products?${query}`)).status, query).toBe(422);
    }
  });
});
