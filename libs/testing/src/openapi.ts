import type { INestApplication } from '@nestjs/common';
import type { AppSpec, BaseConfig } from '@commerce/platform';
import type { ServiceName } from '@commerce/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './app.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

interface RouterLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

/**
 * Every HTTP route the running app serves, as `METHOD /path` in OpenAPI's spelling (`{id}`), read
 * from the Express router Nest registered its controllers on: what a client can reach, not what
 * the code says it declares.
 */
export function servedRoutes(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as { router: { stack: RouterLayer[] } };
  return express.router.stack.flatMap(({ route }) => {
    if (!route) return [];
    const paths = Array.isArray(route.path) ? route.path : [route.path];
    const methods = Object.keys(route.methods).filter((m) => route.methods[m] && m !== '_all');
    // A route of every method is Express's `all()`: Nest's middleware (`forRoutes('*path')`), not a
    // controller, as no controller here uses @All().
    if (methods.includes('mkcol')) return [];
    return paths.flatMap((path) =>
      methods.map((m) => `${m.toUpperCase()} ${path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
    );
  });
}

type Response = { content?: Record<string, { schema?: { $ref?: string } }> };
/** What the tests read of an OpenAPI document. */
interface OpenApiDocument {
  openapi: string;
  paths?: Record<string, Record<string, { responses?: Record<string, Response> }>>;
}

/** Every operation of an OpenAPI document, as `METHOD /path`. */
export function documentedRoutes(document: OpenApiDocument): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((key) => methods.includes(key))
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/**
 * The app's OpenAPI document (`<prefix>/openapi.json`) and reference UI (`<prefix>/docs`), against a
 * running app: the document is OpenAPI 3.1, names every route the app serves and no route it does
 * not, and the UI's page loads its script from the app itself.
 */
export function describeOpenApi<C extends BaseConfig>(service: ServiceName, spec: AppSpec<C>): void {
  describe(`${service} OpenAPI document`, () => {
    let db: TestDatabase;
    let app: TestApp;

    beforeAll(async () => {
      db = await createTestDatabase([service]);
      app = await startTestApp(spec, { DATABASE_URL: db.urlFor(service) });
    });
    afterAll(async () => {
      await app?.close();
      await db?.drop();
    });

    it('is OpenAPI 3.1 and describes exactly the routes the app serves', async () => {
      const response = await fetch(`${app.baseUrl}/openapi.json`);
      expect(response.status).toBe(200);
      const document = (await response.json()) as OpenApiDocument;
      expect(document.openapi).toBe('3.1.0');
      const served = servedRoutes(app.app);
      // A sanity floor: the router was read at all (health and the documentation's own routes).
      expect(served).toContain(`GET /${spec.prefix}/health/ready`);
      const documented = documentedRoutes(document);
      expect({
        undocumented: served.filter((r) => !documented.includes(r)),
        notServed: documented.filter((r) => !served.includes(r)),
      }).toEqual({ undocumented: [], notServed: [] });
    });

    it('answers every error of every operation with the shared problem+json schema', async () => {
      const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as OpenApiDocument;
      const errors = Object.entries(document.paths ?? {})
        // Health answers 503 with its own body (what is up and what is down), not a problem.
        .filter(([path]) => !path.startsWith(`/${spec.prefix}/health`))
        .flatMap(([path, item]) =>
          Object.entries(item).map(([method, operation]) => ({ at: `${method} ${path}`, operation })),
        )
        .flatMap(({ at, operation }) =>
          Object.entries(operation.responses ?? {})
            .filter(([status]) => Number(status) >= 400)
            .map(([status, response]) => ({
              at: `${at} ${status}`,
              schema: response.content?.['application/problem+json']?.schema?.$ref,
            })),
        );
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.filter((e) => e.schema !== '#/components/schemas/ProblemDetails')).toEqual([]);
    });

    it('serves the reference UI with its script from the app, not a CDN', async () => {
      const page = await fetch(`${app.baseUrl}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain(`<script src="/${spec.prefix}/docs/api-reference.js"`);
      expect(html).toContain(`/${spec.prefix}/openapi.json`);
      expect(html).not.toMatch(/https?:\/\//);
      const script = await fetch(`${app.baseUrl}/docs/api-reference.js`);
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toContain('javascript');
      expect((await script.text()).length).toBeGreaterThan(100_000);
    });
  });
}
