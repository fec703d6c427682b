import { authApp } from '@commerce/auth-app';
import { SERVICE_NAMES, SERVICES } from '@commerce/contracts';
import { inventoryApp } from '@commerce/inventory-app';
import { notificationApp } from '@commerce/notification-app';
import { orderApp } from '@commerce/order-app';
import { paymentApp } from '@commerce/payment-app';
import { adminQuery, startTestStack, type TestStack, testKafka } from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Health details (the schema a database check reports) are an admin's to read.
const ADMIN = { email: 'admin@stack.test', password: 'admin-password-stack' };

describe('the five apps together', () => {
  let stack: TestStack;
  let adminToken: string;

  beforeAll(async () => {
    stack = await startTestStack(
      {
        auth: authApp,
        order: orderApp,
        payment: paymentApp,
        inventory: inventoryApp,
        notification: notificationApp,
      },
      { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password },
    );
    const login = await fetch(`${stack.url('auth')}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    adminToken = ((await login.json()) as { accessToken: string }).accessToken;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('are all ready, each on its own prefix, schema and role', async () => {
    for (const service of SERVICE_NAMES) {
      expect(stack.url(service)).toMatch(new RegExp(`/${SERVICES[service].prefix}$`));
      const health = await fetch(`${stack.url(service)}/health`, { headers: { authorization: `Bearer ${adminToken}` } });
      const body = (await health.json()) as {
        info: Record<string, { status: string; schema?: string }>;
      };
      expect(body.info.database.schema).toBe(SERVICES[service].schema);
      expect(body.info.outbox.status).toBe('up');
    }
    const roles = await adminQuery<{ schema: string; owner: string }>(
      stack.database,
      `SELECT nspname AS schema, pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = ANY($1)`,
      [SERVICE_NAMES.map((s) => SERVICES[s].schema)],
    );
    expect(new Set(roles.map((r) => r.owner)).size).toBe(5);
  });

  it('have created the topics of every event they publish, on the shared prefix', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const topics = (await admin.listTopics())
        .filter((t) => t.startsWith(stack.prefix) && !t.endsWith('.dlq'))
        .map((t) => t.slice(stack.prefix.length));
      expect(topics.sort()).toEqual([
        'inventory.rejected',
        'inventory.released',
        'inventory.reserved',
        'order.cancelled',
        'order.confirmed',
        'order.placed',
        'payment.authorized',
        'payment.captured',
        'payment.failed',
        'payment.voided',
        'product.upserted',
        'session.ended',
        'user.created',
      ]);
    } finally {
      await admin.disconnect();
    }
  });
});
