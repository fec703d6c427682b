import {
  createTestDatabase,
  startTestApp,
  startTestIssuer,
  TcpProxy,
  type TestApp,
  type TestDatabase,
  type TestIssuer,
  testKafka,
  uniqueId,
  waitFor,
} from '@commerce/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { orderApp } from '../src/app.ts';

interface HealthEntry {
  status: string;
  message?: string;
  [detail: string]: unknown;
}
interface HealthReport {
  status: string;
  info: Record<string, HealthEntry>;
  error: Record<string, HealthEntry>;
}

const proxyTo = (hostPort: string) => {
  const url = new URL(`tcp://${hostPort}`);
  return new TcpProxy({ host: url.hostname, port: Number(url.port) }).start();
};

// The order app with its database and its Kafka each behind a proxy the test cuts: /health/ready
// (what the gateway routes by) follows the database only; /health names every component.
describe('order health: readiness for HTTP, components for operators', () => {
  const prefix = `${uniqueId()}.`;
  let db: TestDatabase;
  let issuer: TestIssuer;
  let database: TcpProxy;
  let kafka: TcpProxy;
  let app: TestApp;
  // Details (ids, errors, counts) are for admins; the public answer is each component's up or down.
  const get = async (path: '/health' | '/health/ready', token?: string) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const response = await fetch(`${app.baseUrl}${path}`, { headers });
    return { status: response.status, body: (await response.json()) as HealthReport };
  };
  const asAdmin = async (path: '/health' | '/health/ready') => get(path, await issuer.token({ roles: ['admin'] }));

  beforeAll(async () => {
    db = await createTestDatabase(['order']);
    issuer = await startTestIssuer();
    const databaseUrl = new URL(db.urlFor('order'));
    database = await new TcpProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) }).start();
    kafka = await proxyTo(inject('infra').kafkaBrokers[0]!);
    // Kafka unreachable from the start: the broker advertises its own address, so a client that got
    // through once would go around the proxy afterwards; one that never did cannot.
    await kafka.cut();
    app = await startTestApp(orderApp, {
      DATABASE_URL: database.through(db.urlFor('order')),
      KAFKA_BROKERS: `127.0.0.1:${kafka.port}`,
      KAFKA_TOPIC_PREFIX: prefix,
      ...issuer.env,
    });
  });
  afterAll(async () => {
    await app?.close();
    await kafka?.close();
    await database?.close();
    await issuer?.close();
    await db?.drop();
  });

  it('stays ready while its Kafka is unreachable, and /health is 503 naming kafka and the consumer', async () => {
    const ready = await get('/health/ready');
    expect(ready.status).toBe(200);
    expect(Object.keys(ready.body.info)).toEqual(['database']);

    const health = await asAdmin('/health');
    expect(health.status).toBe(503);
    expect(health.body.error.kafka).toMatchObject({ status: 'down' });
    expect(health.body.error.consumer).toMatchObject({ status: 'down', group: `${prefix}order` });
    expect(health.body.info.database).toMatchObject({ status: 'up' });
  });

  it('shows the public and a customer up or down per component only, and an admin the details', async () => {
    const onlyStatus = (report: HealthReport) =>
      [...Object.values(report.info ?? {}), ...Object.values(report.error ?? {})].every(
        (entry) => Object.keys(entry).join() === 'status',
      );
    const customer = await issuer.token({ roles: ['customer'] });
    for (const path of ['/health', '/health/ready'] as const) {
      const [anonymous, asCustomer, forged, admin] = await Promise.all([
        get(path),
        get(path, customer),
        get(path, await issuer.forgedToken({ roles: ['admin'] })),
        asAdmin(path),
      ]);
      // The status code and the names are public (Docker, Traefik and alerts need no token); nothing else is.
      expect(anonymous.status).toBe(admin.status);
      expect(Object.keys(anonymous.body.info)).toEqual(Object.keys(admin.body.info));
      for (const report of [anonymous, asCustomer, forged]) {
        expect(onlyStatus(report.body), `${path}: ${JSON.stringify(report.body)}`).toBe(true);
      }
      expect(onlyStatus(admin.body)).toBe(false);
    }
    const anonymous = await get('/health');
    expect(anonymous.body.error.kafka).toEqual({ status: 'down' });
    expect(anonymous.body.error.consumer).toEqual({ status: 'down' });
    expect(JSON.stringify(anonymous.body)).not.toContain(`${prefix}order`);
    expect((await asAdmin('/health/ready')).body.info.database).toMatchObject({
      status: 'up',
      schema: db.urlFor('order').split('schema=')[1],
    });
  });

  it('reports every component up once Kafka answers: the group, its assignment, no dead letters', async () => {
    await kafka.restore();
    const { body } = await waitFor(
      async () => {
        const health = await asAdmin('/health');
        return health.status === 200 && health;
      },
      { timeoutMs: 60_000, what: '/health to turn 200' },
    );
    expect(body.info.kafka).toMatchObject({ status: 'up' });
    expect(body.info.outbox).toMatchObject({ status: 'up', unpublished: 0 });
    expect(body.info.consumer).toMatchObject({ status: 'up', state: 'running', group: `${prefix}order` });
    expect(Object.keys(body.info.consumer!.assignment as object)).toContain(`${prefix}payment.failed`);
    expect(body.info.deadLetters).toMatchObject({ status: 'up', sinceStart: 0 });
  });

  it('shows a dead letter on the order flow in /health, counted, while it stays ready', async () => {
    const producer = testKafka().producer();
    await producer.connect();
    try {
      await producer.send({ topic: `${prefix}payment.failed`, messages: [{ key: 'o-1', value: 'not an event' }] });
    } finally {
      await producer.disconnect();
    }
    const { body } = await waitFor(
      async () => {
        const health = await asAdmin('/health');
        return health.status === 503 && health.body.error.deadLetters && health;
      },
      { what: 'the dead letter to show in /health' },
    );
    expect(body.error.deadLetters).toMatchObject({
      status: 'down',
      sinceStart: 1,
      byTopic: { [`${prefix}payment.failed`]: 1 },
      last: { topic: `${prefix}payment.failed`, reason: 'invalid-message' },
      inTopics: { [`${prefix}payment.failed.dlq`]: 1 },
    });
    expect(body.info.consumer).toMatchObject({ status: 'up' });
    expect((await get('/health/ready')).status).toBe(200);
  });

  it('is not ready while its database is unreachable, and ready again once it answers', async () => {
    await database.cut();
    try {
      const { body } = await waitFor(
        async () => {
          const ready = await get('/health/ready');
          return ready.status === 503 && ready;
        },
        { what: '/health/ready to turn 503' },
      );
      expect(body.error.database).toMatchObject({ status: 'down' });
      expect((await get('/health')).body.error.database).toMatchObject({ status: 'down' });
    } finally {
      await database.restore();
    }
    await waitFor(async () => (await get('/health/ready')).status === 200, { what: '/health/ready to return' });
  });
});
