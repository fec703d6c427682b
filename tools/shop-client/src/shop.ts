// Setting up a run against a running stack: the admin, products of the run's own (a few with
// tight stock, so some orders end OUT_OF_STOCK), the order app's catalog copy, and customers who
// have had their welcome email. Shared by the load benchmark and the chaos drill.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@commerce/contracts';
import { type Api, type Json, pool, type Reply, Session, until, withRetries } from './api.ts';

/** What a run shares with every step: its client, its id (in every sku and email), its PRNG. */
export interface Run {
  api: Api;
  id: string;
  rand: () => number;
  say: (line: string) => void;
  /** What the skus start with: `LB-<id>` for the benchmark, `CH-<id>` for the drill. */
  skuPrefix: string;
  /** What the customers' emails start with. */
  emailPrefix: string;
}

export interface Product {
  sku: string;
  priceCents: number;
  tight: boolean;
  initial: number;
  restocked: number;
  /** Units of CONFIRMED orders over every step so far: what `sold` must be. */
  soldExpected: number;
}

export const PRODUCTS = 20;
export const TIGHT = 3;
export const PLENTY = 1_000_000;

export function adminPassword(): string {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  // As tools/stack/stack.ts keeps it.
  const file = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'commerce', 'admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(`set ADMIN_PASSWORD (npm run stack keeps the admin's password in ${file})`);
}

/** Tight stock for a run of `orders`: about half of the units the tight skus are asked for. */
export function tightStock(orders: number): number {
  // 1.5 items an order, 2 units an item, over 20 skus.
  return Math.max(2, Math.round((orders * 1.5 * 2) / PRODUCTS / 2));
}

/** Waits until every app answers /health/ready with 200. */
export async function waitReady(api: Api, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const service of SERVICE_NAMES) {
    const ok = await until(deadline, 500, async () => (await api.call(service, 'GET', '/health/ready')).status === 200);
    if (!ok) throw new Error(`${service} is not ready at ${api.base(service)}/health/ready: is the stack running?`);
  }
}

export async function createProducts(run: Run, admin: Session, firstRunOrders: number): Promise<Product[]> {
  const products: Product[] = Array.from({ length: PRODUCTS }, (_, i) => ({
    sku: `${run.skuPrefix}-${i < PRODUCTS - TIGHT ? 'S' : 'T'}${String(i + 1).padStart(2, '0')}`,
    priceCents: 100 + Math.floor(run.rand() * 4900),
    tight: i >= PRODUCTS - TIGHT,
    initial: i >= PRODUCTS - TIGHT ? tightStock(firstRunOrders) : PLENTY,
    restocked: 0,
    soldExpected: 0,
  }));
  await pool(products, 4, async (p) => {
    const r = await admin.call('inventory', 'POST', '/products', {
      body: { sku: p.sku, name: `Load ${p.sku}`, priceCents: p.priceCents, stock: p.initial },
    });
    if (r.status !== 201) throw new Error(`create ${p.sku}: ${r.status} ${JSON.stringify(r.body)}`);
  });
  return products;
}

/** Tops the tight skus up to `tight` units available, so each step has its OUT_OF_STOCK share. */
export async function restockTight(admin: Session, products: Product[], tight: number): Promise<void> {
  for (const p of products.filter((x) => x.tight)) {
    const r = await admin.call('inventory', 'GET', `/products/${p.sku}`);
    if (r.status !== 200) throw new Error(`GET product ${p.sku}: ${r.status}`);
    const add = tight - r.body.available;
    if (add <= 0) continue;
    const restock = await admin.call('inventory', 'POST', `/products/${p.sku}/restock`, { body: { quantity: add } });
    if (restock.status !== 200) throw new Error(`restock ${p.sku}: ${restock.status} ${JSON.stringify(restock.body)}`);
    p.restocked += add;
  }
}

/**
 * Waits until the order app's catalog copy has every sku, without placing an order: the probe names
 * every sku and one more of 1,000,000.00 USD × 1000, so once all are known its total is too large
 * (422 without `errors`), while an unknown sku is a 422 whose `errors` name it. Nothing is written.
 */
export async function waitForCatalog(run: Run, admin: Session, products: Product[]): Promise<void> {
  const probe = `${run.skuPrefix}-PROBE`;
  const created = await admin.call('inventory', 'POST', '/products', {
    body: { sku: probe, name: 'Load probe (never sold)', priceCents: 100_000_000, stock: 0 },
  });
  if (created.status !== 201) throw new Error(`create ${probe}: ${created.status} ${JSON.stringify(created.body)}`);
  const items = [...products.map((p) => ({ sku: p.sku, quantity: 1 })), { sku: probe, quantity: 1000 }];
  let last: Reply | undefined;
  const started = Date.now();
  const known = await until(Date.now() + 60_000, 200, async () => {
    last = await admin.call('order', 'POST', '', { body: { items, paymentToken: 'tok_decline' } });
    if (last.status === 202)
      throw new Error(`the catalog probe was accepted as an order: ${JSON.stringify(last.body)}`);
    return last.status === 422 && !last.body?.errors;
  });
  if (!known) throw new Error(`the order app does not know every sku after 60 s: ${JSON.stringify(last?.body)}`);
  run.say(`the order app knows all ${products.length} skus (${Date.now() - started} ms after they were created)`);
}

/**
 * Registers and logs in `count` customers (`<emailPrefix>-<label>-c<i>@example.com`) and waits for
 * each one's welcome email: the notification app learns a user from user.created, and until then
 * its order emails wait. Returns the customers and, per customer without a welcome, a problem.
 */
export async function newCustomers(
  run: Run,
  count: number,
  label: string,
): Promise<{ customers: Session[]; problems: string[] }> {
  const password = `${run.emailPrefix}-password`;
  const customers = await pool(
    Array.from({ length: count }, (_, i) => i),
    4,
    async (i) => {
      const email = `${run.emailPrefix}-${label}-c${i}@example.com`;
      const r = await withRetries(
        () => run.api.call('auth', 'POST', '/register', { body: { email, password, name: `Load ${label}.${i}` } }),
        { attempts: 5 },
      );
      if (r.status !== 201) throw new Error(`register ${email}: ${r.status} ${JSON.stringify(r.body)}`);
      const session = new Session(run.api, email, password);
      session.id = r.body.id;
      await session.login();
      return session;
    },
  );
  const problems: string[] = [];
  const deadline = Date.now() + 60_000;
  await pool(customers, 4, async (c) => {
    const ok = await until(deadline, 250, async () => {
      const r = await c.call('notification', 'GET', '?limit=100');
      return r.status === 200 && (r.body as Json[]).some((n) => n.type === 'WELCOME');
    });
    if (!ok) problems.push(`no WELCOME email for ${c.email} within 60 s`);
  });
  return { customers, problems };
}
