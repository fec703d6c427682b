import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authApp } from '@commerce/auth-app';
import { inventoryApp } from '@commerce/inventory-app';
import { KafkaEventTransport } from '@commerce/messaging';
import { notificationApp } from '@commerce/notification-app';
import { orderApp } from '@commerce/order-app';
import { paymentApp } from '@commerce/payment-app';
import {
  adminQuery,
  startTestSmtpServer,
  startTestStack,
  type TestSmtpServer,
  type TestStack,
  testKafka,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { expect } from 'vitest';

export const ADMIN = { email: 'admin@shop.test', password: 'admin-password-e2e' };

/** What each app's consumer group reads (docs/contract.md, choreography). */
const CONSUMES: Record<string, string[]> = {
  order: ['product.upserted', 'inventory.reserved', 'inventory.rejected', 'payment.authorized', 'payment.failed'],
  payment: ['order.placed', 'order.confirmed', 'order.cancelled'],
  inventory: ['order.placed', 'order.confirmed', 'order.cancelled'],
  notification: ['user.created', 'order.placed', 'order.confirmed', 'order.cancelled'],
};

export interface Customer {
  id: string;
  email: string;
  token: string;
}

export interface OrderBody {
  id: string;
  status: string;
  cancelReason?: string;
  totalCents: number;
  items: Array<{ sku: string; quantity: number; unitPriceCents: number }>;
}

/**
 * The five apps on the real infra, driven over HTTP as a client would, with a real SMTP server.
 * The database is read only to check docs/contract.md's invariants and to know when everything settled.
 */
export class Shop {
  private constructor(
    readonly stack: TestStack,
    readonly smtp: TestSmtpServer,
    private adminToken: string,
    private readonly keysDir: string,
  ) {}

  static async open(): Promise<Shop> {
    const smtp = await startTestSmtpServer();
    // The signing key auth generates for this run, outside the repository and removed on close.
    const keys = mkdtempSync(join(tmpdir(), 'e2e-keys-'));
    const stack = await startTestStack(
      { auth: authApp, order: orderApp, payment: paymentApp, inventory: inventoryApp, notification: notificationApp },
      {
        SMTP_URL: smtp.url,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        AUTH_SIGNING_KEY_FILE: join(keys, 'auth-signing-key.pem'),
        CONSUMER_RETRY_INITIAL_MS: '50',
        OUTBOX_POLL_INTERVAL_MS: '200',
        MAIL_POLL_INTERVAL_MS: '200',
        // Far past what an order takes to settle here, short enough for a test to watch one pass.
        ORDER_SETTLE_TIMEOUT_MS: '10000',
        ORDER_SETTLE_SWEEP_INTERVAL_MS: '250',
      },
    );
    const shop = new Shop(stack, smtp, '', keys);
    shop.adminToken = (await shop.login(ADMIN.email, ADMIN.password)).accessToken;
    return shop;
  }

  async close(): Promise<void> {
    await this.stack.close();
    await this.smtp.close();
    rmSync(this.keysDir, { recursive: true, force: true });
  }

  async call(
    service: 'auth' | 'order' | 'payment' | 'inventory' | 'notification',
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(`${this.stack.url(service)}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as any };
  }

  async login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
    const { status, body } = await this.call('auth', 'POST', '/login', { body: { email, password } });
    expect(status, `login ${email}`).toBe(200);
    return body;
  }

  /** Registers and logs in a new customer. */
  async customer(): Promise<Customer> {
    const email = `${uniqueId('c')}@shop.test`;
    const password = 'customer-password';
    const registered = await this.call('auth', 'POST', '/register', { body: { email, password, name: 'Customer' } });
    expect(registered.status).toBe(201);
    return { id: registered.body.id, email, token: (await this.login(email, password)).accessToken };
  }

  /** The admin creates a product; waits until the order app prices from it. */
  async product(stock: number, priceCents = 1500): Promise<string> {
    const sku = uniqueId('SKU-');
    const { status } = await this.call('inventory', 'POST', '/products', {
      token: this.adminToken,
      body: { sku, name: `Product ${sku}`, priceCents, stock },
    });
    expect(status).toBe(201);
    await waitFor(
      async () =>
        (await adminQuery(this.stack.database, 'SELECT 1 FROM orders.catalog_products WHERE sku = $1', [sku]))
          .length === 1,
      { what: `the order app to know ${sku}` },
    );
    return sku;
  }

  async stock(sku: string): Promise<{ available: number; reserved: number; sold: number }> {
    const { status, body } = await this.call('inventory', 'GET', `/products/${sku}`);
    expect(status).toBe(200);
    return { available: body.available, reserved: body.reserved, sold: body.sold };
  }

  async place(
    customer: Customer,
    items: Array<{ sku: string; quantity: number }>,
    paymentToken = 'tok_ok',
    headers: Record<string, string> = {},
  ): Promise<OrderBody> {
    const { status, body } = await this.call('order', 'POST', '', {
      token: customer.token,
      body: { items, paymentToken },
      headers,
    });
    expect(status, JSON.stringify(body)).toBe(202);
    return body;
  }

  async order(customer: Customer, id: string): Promise<OrderBody> {
    return (await this.call('order', 'GET', `/${id}`, { token: customer.token })).body;
  }

  /** Waits until the order is CONFIRMED or CANCELLED and returns it. */
  async settled(customer: Customer, id: string): Promise<OrderBody> {
    return waitFor(
      async () => {
        const order = await this.order(customer, id);
        return order.status !== 'PENDING' && order;
      },
      // An order settles in well under a second here; 20 s leaves room for a loaded CI machine, no more.
      { what: `order ${id} to be CONFIRMED or CANCELLED`, timeoutMs: 20_000 },
    );
  }

  async payment(customer: Customer, orderId: string) {
    return this.call('payment', 'GET', `?orderId=${orderId}`, { token: customer.token });
  }

  /** The emails the SMTP server received for `customer` whose subject names `orderId`. */
  emails(customer: Customer, orderId?: string) {
    return this.smtp
      .to(customer.email)
      .filter((m) => !orderId || m.subject.includes(orderId) || m.text.includes(orderId));
  }

  /** Stops or restarts an app's reading of some event types (its consumer keeps its group). */
  consumerOf(service: 'payment' | 'inventory' | 'order' | 'notification') {
    return this.stack.apps[service]!.app.get(KafkaEventTransport).consumer!;
  }

  /** Waits until every group has read every topic it consumes to the end. */
  async consumed(): Promise<void> {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          for (const [service, types] of Object.entries(CONSUMES)) {
            const topics = types.map((t) => `${this.stack.prefix}${t}`);
            const committed = await admin.fetchOffsets({ groupId: `${this.stack.prefix}${service}`, topics });
            for (const { topic, partitions } of committed) {
              const ends = await admin.fetchTopicOffsets(topic);
              for (const end of ends) {
                const at = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
                if (Number(end.high) > 0 && Number(at) < Number(end.high)) return false;
              }
            }
          }
          return true;
        },
        { what: 'every consumer group to reach the end of its topics', timeoutMs: 20_000 },
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until nothing is in flight: no PENDING order, every outbox row and email sent, every event read. */
  async quiescent(): Promise<void> {
    const db = this.stack.database;
    const pending = async () => {
      const [row] = await adminQuery<{ n: string }>(
        db,
        `SELECT (SELECT count(*) FROM orders.orders WHERE status = 'PENDING')
              + (SELECT count(*) FROM orders.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM payments.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM inventory.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM auth.outbox WHERE published_at IS NULL)
              + (SELECT count(*) FROM notifications.notifications WHERE sent_at IS NULL) AS n`,
      );
      return Number(row!.n);
    };
    await waitFor(async () => (await pending()) === 0, {
      what: 'orders, outboxes and emails to settle',
      timeoutMs: 20_000,
    });
    await this.consumed();
    await waitFor(async () => (await pending()) === 0, {
      what: 'orders, outboxes and emails to settle',
      timeoutMs: 20_000,
    });
  }

  /** docs/contract.md's invariants, over everything this stack has seen. */
  async checkInvariants(): Promise<void> {
    await this.quiescent();
    const q = <R extends object>(sql: string) => adminQuery<R>(this.stack.database, sql);
    // 1. Every accepted order ended CONFIRMED or CANCELLED.
    expect(await q(`SELECT id FROM orders.orders WHERE status NOT IN ('CONFIRMED', 'CANCELLED')`)).toEqual([]);
    // 2. Per sku, initial + restocks = available + reserved + sold, and available >= 0.
    expect(
      await q(`SELECT sku FROM inventory.products
               WHERE initial_stock + restocked <> available + reserved + sold OR available < 0 OR reserved <> 0`),
    ).toEqual([]);
    // 3. CONFIRMED <=> payment CAPTURED and reservation committed; CANCELLED => neither a capture nor a held reservation.
    expect(
      await q(`SELECT o.id, o.status, p.status AS payment, r.status AS reservation
               FROM orders.orders o
               LEFT JOIN payments.payments p ON p.order_id = o.id::text
               LEFT JOIN inventory.reservations r ON r.order_id = o.id::text
               WHERE (o.status = 'CONFIRMED') <> (p.status IS NOT DISTINCT FROM 'CAPTURED' AND r.status IS NOT DISTINCT FROM 'COMMITTED')
                  OR (o.status = 'CANCELLED' AND (p.status IS NOT DISTINCT FROM 'CAPTURED' OR r.status IN ('HELD', 'COMMITTED')))
                  OR (p.status = 'AUTHORIZED')`),
    ).toEqual([]);
    // 4. One order per Idempotency-Key; one email per (order, type); one welcome per user.
    // (A key is the primary key with its customer; each must name an order of that same customer.)
    expect(
      await q(`SELECT k.key FROM orders.idempotency_keys k LEFT JOIN orders.orders o ON o.id = k.order_id
               WHERE o.id IS NULL OR o.customer_id <> k.customer_id`),
    ).toEqual([]);
    expect(
      await q(`SELECT o.id, array_agg(n.type::text ORDER BY n.type::text) AS types FROM orders.orders o
               LEFT JOIN notifications.notifications n ON n.order_id = o.id::text
               GROUP BY o.id, o.status
               HAVING array_agg(n.type::text ORDER BY n.type::text)::text[] <> CASE o.status
                 WHEN 'CONFIRMED' THEN ARRAY['ORDER_CONFIRMED', 'ORDER_RECEIVED']
                 ELSE ARRAY['ORDER_CANCELLED', 'ORDER_RECEIVED'] END`),
    ).toEqual([]);
    const sent = new Map<string, number>();
    for (const mail of this.smtp.messages) {
      const key = `${mail.to.join(',')}|${mail.subject}`;
      sent.set(key, (sent.get(key) ?? 0) + 1);
    }
    expect([...sent].filter(([, n]) => n > 1)).toEqual([]);
    const welcomes = await q<{ user_id: string; n: string }>(
      `SELECT user_id, count(*) AS n FROM notifications.notifications WHERE type = 'WELCOME' GROUP BY user_id`,
    );
    const users = await q<{ id: string }>(`SELECT id FROM auth.users`);
    expect(welcomes.map((w) => [w.user_id, Number(w.n)]).sort()).toEqual(users.map((u) => [u.id, 1]).sort());
  }
}
