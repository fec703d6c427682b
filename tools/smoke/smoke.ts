// `npm run smoke [-- <base URL>]`: one full order through a running stack, as a new user would.
// The base URL is the gateway (http://localhost:8080 under docker compose); without one, each app
// is called on its own port (npm run stack). Prints a timeline; exits 1 on any failure.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SERVICES, type ServiceName } from '@commerce/contracts';

const gateway = process.argv[2]?.replace(/\/$/, '');
const timeoutMs = Number(process.env.SMOKE_TIMEOUT_MS ?? 60_000);
const started = Date.now();
const timeline: Array<{ at: number; step: string; detail: string }> = [];

const base = (service: ServiceName) =>
  `${gateway ?? `http://127.0.0.1:${SERVICES[service].port}`}/${SERVICES[service].prefix}`;

function adminPassword(): string {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const file = join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'commerce/admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error(
    'set ADMIN_PASSWORD (the stack admin password; npm run stack keeps it in ~/.config/commerce/admin-password)',
  );
}

function note(step: string, detail = ''): void {
  timeline.push({ at: Date.now() - started, step, detail });
  console.log(`[smoke] ${String(Date.now() - started).padStart(6)} ms  ${step.padEnd(28)} ${detail}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of the API, checked step by step
type Json = any;

async function call(
  service: ServiceName,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${base(service)}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function expectStatus(what: string, got: { status: number; body: Json }, want: number): Json {
  if (got.status !== want) throw new Error(`${what}: expected ${want}, got ${got.status} ${JSON.stringify(got.body)}`);
  return got.body;
}

async function until<T>(what: string, probe: () => Promise<T | false | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

try {
  console.log(`[smoke] against ${gateway ?? 'each app on its own port (npm run stack)'}`);
  const email = `smoke-${randomUUID().slice(0, 8)}@example.com`;
  const password = 'smoke-test-password';
  const user = expectStatus(
    'register',
    await call('auth', 'POST', '/register', { body: { email, password, name: 'Smoke' } }),
    201,
  );
  note('registered', `${email} (${user.id})`);
  const { accessToken: token } = expectStatus(
    'login',
    await call('auth', 'POST', '/login', { body: { email, password } }),
    200,
  );
  note('logged in');

  const adminEmail = process.env.ADMIN_EMAIL ?? 'admin@commerce.local';
  const { accessToken: admin } = expectStatus(
    'admin login',
    await call('auth', 'POST', '/login', { body: { email: adminEmail, password: adminPassword() } }),
    200,
  );
  const sku = `SMOKE-${randomUUID().slice(0, 8)}`;
  expectStatus(
    'create product',
    await call('inventory', 'POST', '/products', {
      token: admin,
      body: { sku, name: 'Smoke mug', priceCents: 1999, stock: 5 },
    }),
    201,
  );
  note('admin created a product', `${sku}: 5 in stock at 19.99 USD`);

  // The order app prices from its own catalog copy; until product.upserted reaches it, the sku is unknown (422).
  const key = randomUUID();
  const order = await until('the order app to know the product', async () => {
    const placed = await call('order', 'POST', '', {
      token,
      headers: { 'Idempotency-Key': key },
      body: { items: [{ sku, quantity: 2 }], paymentToken: 'tok_ok' },
    });
    if (placed.status === 422) return false;
    return expectStatus('place order', placed, 202);
  });
  note('order placed', `${order.id} ${order.status} ${order.totalCents} ${order.currency}`);

  const settled = await until('the order to settle', async () => {
    const { body } = await call('order', 'GET', `/${order.id}`, { token });
    return body?.status !== 'PENDING' && body;
  });
  if (settled.status !== 'CONFIRMED') throw new Error(`order ended ${settled.status} (${settled.cancelReason})`);
  note('order confirmed');

  const history = expectStatus('history', await call('order', 'GET', `/${order.id}/history`, { token }), 200);
  for (const h of history) note('  history', `${h.status.padEnd(9)} ← ${h.eventType} ${h.eventId}`);

  const payment = await until('the payment to be captured', async () => {
    const { status, body } = await call('payment', 'GET', `?orderId=${order.id}`, { token });
    return status === 200 && body.status === 'CAPTURED' && body;
  });
  note('payment captured', `${payment.id} ${payment.amountCents} ${payment.currency}`);

  const stock = expectStatus('product', await call('inventory', 'GET', `/products/${sku}`), 200);
  note('stock', `available ${stock.available}, reserved ${stock.reserved}, sold ${stock.sold}`);
  if (stock.sold !== 2 || stock.available !== 3) throw new Error(`stock is not 3/0/2: ${JSON.stringify(stock)}`);

  const emails = await until('the welcome, received and confirmed emails', async () => {
    const { body } = await call('notification', 'GET', '', { token });
    const types = new Set((body ?? []).map((n: { type: string }) => n.type));
    return ['WELCOME', 'ORDER_RECEIVED', 'ORDER_CONFIRMED'].every((t) => types.has(t)) && body;
  });
  for (const n of [...emails].reverse()) note('  email', `${n.type.padEnd(16)} ${n.subject}`);
  note('done', `one order end to end in ${Date.now() - started} ms`);
} catch (error) {
  note('FAILED', (error as Error).message);
  process.exit(1);
}
