import { type AppSpec, type BaseConfig, ConfigError, PROBLEM_CONTENT_TYPE } from '@commerce/platform';
import type { ServiceName } from '@commerce/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { startTestIssuer, type TestIssuer } from './issuer.ts';
import { waitFor } from './wait.ts';

// Ports nothing listens on: a dependency that is down.
const CLOSED_POSTGRES = 'postgresql://nobody:nothing@127.0.0.1:1/none?schema=none';
const CLOSED_KAFKA = '127.0.0.1:1';

async function getJson(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { response, body: text ? JSON.parse(text) : undefined };
}

/**
 * What every app must do from its first day, against real Postgres and Kafka: boot with validated
 * config, report live/ready and /health (503 naming what is down), echo correlation ids, answer errors as problem+json.
 */
export function describeAppBasics<C extends BaseConfig>(service: ServiceName, spec: AppSpec<C>): void {
  describe(`${service} app basics`, () => {
    let db: TestDatabase;
    let issuer: TestIssuer;
    let app: TestApp;
    // Health details are an admin's; without a token each check says only up or down.
    const asAdmin = async () => ({ headers: { authorization: `Bearer ${await issuer.token({ roles: ['admin'] })}` } });

    beforeAll(async () => {
      db = await createTestDatabase([service]);
      issuer = await startTestIssuer();
      app = await startTestApp(spec, { DATABASE_URL: db.urlFor(service), ...issuer.env });
    });
    afterAll(async () => {
      await app?.close();
      await issuer?.close();
      await db?.drop();
    });

    it('is live', async () => {
      const { response, body } = await getJson(`${app.baseUrl}/health/live`);
      expect(response.status).toBe(200);
      expect(body.status).toBe('ok');
    });

    it('is ready once its own database answers', async () => {
      const { response, body } = await getJson(`${app.baseUrl}/health/ready`, await asAdmin());
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(body.info)).toEqual(['database']);
      expect(body.info.database).toMatchObject({ status: 'up', schema: db.urlFor(service).split('schema=')[1] });
      const anonymous = await getJson(`${app.baseUrl}/health/ready`);
      expect(anonymous.body).toEqual({ status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } });
    });

    it('reports every component up in /health once Kafka answers and its relay runs', async () => {
      const body = await waitFor(
        async () => {
          const { response, body } = await getJson(`${app.baseUrl}/health`, await asAdmin());
          return response.status === 200 && body;
        },
        { what: `${service} to be up` },
      );
      expect(body.info.database).toMatchObject({ status: 'up' });
      expect(body.info.kafka).toMatchObject({ status: 'up' });
      expect(body.info.outbox).toMatchObject({ status: 'up', unpublished: 0 });
    });

    it('echoes the X-Correlation-Id it is given and makes one when there is none', async () => {
      const given = await fetch(`${app.baseUrl}/health/live`, { headers: { 'X-Correlation-Id': 'corr-123' } });
      expect(given.headers.get('x-correlation-id')).toBe('corr-123');
      const made = await fetch(`${app.baseUrl}/health/live`);
      expect(made.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers a malformed JSON body with 400 problem+json carrying the correlation id', async () => {
      const { response, body } = await getJson(`${app.baseUrl}/health/live`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-Correlation-Id': 'bad-json-1' },
        body: '{"oops": ',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect(body).toMatchObject({
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'The request body is not valid JSON.',
        correlationId: 'bad-json-1',
      });
    });

    it('answers an oversized body with 413 problem+json', async () => {
      const { response, body } = await getJson(`${app.baseUrl}/health/live`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ blob: 'x'.repeat(200_000) }),
      });
      expect(response.status).toBe(413);
      expect(body).toMatchObject({ status: 413, title: 'Payload Too Large' });
    });

    it('answers an unknown route with 404 problem+json', async () => {
      // Three segments deep: no app routes that (order's GET /:id would want a token, not 404).
      const { response, body } = await getJson(`${app.baseUrl}/no-such/route/anywhere`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain(PROBLEM_CONTENT_TYPE);
      expect(body).toMatchObject({
        status: 404,
        title: 'Not Found',
        instance: `/${spec.prefix}/no-such/route/anywhere`,
      });
    });

    it('is 503 naming the database when its database does not answer', async () => {
      const broken = await startTestApp(spec, {
        DATABASE_URL: CLOSED_POSTGRES.replace('none?schema=none', `none?schema=${service}`),
      });
      try {
        const { response, body } = await getJson(`${broken.baseUrl}/health/ready`);
        expect(response.status).toBe(503);
        expect(body.error.database.status).toBe('down');
        expect((await fetch(`${broken.baseUrl}/health`)).status).toBe(503);
      } finally {
        await broken.close();
      }
    });

    it('stays ready when no broker answers, and /health is 503 naming Kafka', async () => {
      const broken = await startTestApp(spec, { DATABASE_URL: db.urlFor(service), KAFKA_BROKERS: CLOSED_KAFKA });
      try {
        const ready = await getJson(`${broken.baseUrl}/health/ready`);
        expect(ready.response.status).toBe(200);
        const { response, body } = await getJson(`${broken.baseUrl}/health`);
        expect(response.status).toBe(503);
        expect(body.error.kafka.status).toBe('down');
        expect(body.info.database.status).toBe('up');
      } finally {
        await broken.close();
      }
    });

    it('refuses to start with a message naming a missing or malformed variable', async () => {
      await expect(startTestApp(spec, { DATABASE_URL: '' })).rejects.toThrow(/DATABASE_URL: is required/);
      await expect(
        startTestApp(spec, { DATABASE_URL: db.urlFor(service), KAFKA_BROKERS: 'not a broker' }),
      ).rejects.toSatisfy((e) => e instanceof ConfigError && /KAFKA_BROKERS/.test(e.message));
    });
  });
}
