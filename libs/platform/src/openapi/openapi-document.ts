import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { z } from 'zod';
import { type ApiRoute, json, problemResponses, PUBLIC } from './api-routes.ts';

/** The routes of the reference UI itself: the document, the page, and the page's script (served here, not from a CDN). */
export const DOCS_ROUTES = { document: '/openapi.json', page: '/docs', script: '/docs/api-reference.js' } as const;

const HealthCheckSchema = z
  .object({
    status: z.enum(['ok', 'error', 'shutting_down']),
    info: z.record(z.string(), z.looseObject({ status: z.enum(['up', 'down']) })).optional(),
    error: z.record(z.string(), z.looseObject({ status: z.enum(['up', 'down']) })).optional(),
    details: z.record(z.string(), z.looseObject({ status: z.enum(['up', 'down']) })),
  })
  .meta({
    id: 'HealthCheck',
    description: 'Each check up or down; what each check reports besides goes only to a caller with an admin token.',
  });

const healthExample: z.input<typeof HealthCheckSchema> = {
  status: 'ok',
  info: { database: { status: 'up' } },
  error: {},
  details: { database: { status: 'up' } },
};

function healthRoute(path: string, summary: string, description: string): ApiRoute {
  return {
    method: 'get',
    path,
    operation: {
      tags: ['health'],
      summary,
      description,
      security: PUBLIC,
      responses: {
        '200': { description: 'Every check asked is up.', content: json(HealthCheckSchema, healthExample) },
        '503': { description: 'A check is down (named under `error`).', content: json(HealthCheckSchema) },
      },
    },
  };
}

/** The path of the metrics route: the exposition while metrics are on, a 404 while they are off. */
export const METRICS_ROUTE = '/metrics';

/**
 * The metrics route of an app whose metrics are off (METRICS_ENABLED=false): still the platform's,
 * so no route of the app's own (order's `/{id}`) answers for it.
 */
const METRICS_OFF_ROUTE: ApiRoute = {
  method: 'get',
  path: METRICS_ROUTE,
  operation: {
    tags: ['operations'],
    summary: 'Prometheus metrics: off in this app',
    description: 'Metrics are off (METRICS_ENABLED=false): nothing is counted, and this answers 404.',
    security: PUBLIC,
    responses: problemResponses([404, 'Metrics are off in this app.']),
  },
};

/** The routes every app serves from libs/platform: health, metrics and this very documentation. */
export const PLATFORM_API: readonly ApiRoute[] = [
  healthRoute('/health/live', 'The process serves HTTP', 'Asks nothing; 200 while the process answers.'),
  healthRoute(
    '/health/ready',
    'The app can serve its routes',
    "Its database answers. What the gateway routes by and the image's HEALTHCHECK runs.",
  ),
  healthRoute(
    '/health',
    'Every component',
    'Database, Kafka, outbox lag, consumer and dead letters (and mail for notification): 503 when any is down.',
  ),
  {
    method: 'get',
    path: METRICS_ROUTE,
    operation: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'The text exposition, for a scraper on the internal network: the gateway does not route it.',
      security: PUBLIC,
      responses: {
        '200': {
          description: 'The metrics.',
          content: { 'text/plain': { schema: z.string(), example: '# TYPE http_requests_total counter\n' } },
        },
      },
    },
  },
  {
    method: 'get',
    path: DOCS_ROUTES.document,
    operation: {
      tags: ['documentation'],
      summary: 'This OpenAPI 3.1 document',
      security: PUBLIC,
      responses: {
        '200': {
          description: 'The document.',
          content: { 'application/json': { schema: z.looseObject({ openapi: z.string() }) } },
        },
      },
    },
  },
  {
    method: 'get',
    path: DOCS_ROUTES.page,
    operation: {
      tags: ['documentation'],
      summary: 'The API reference (Scalar), rendered from this document',
      security: PUBLIC,
      responses: { '200': { description: 'An HTML page.', content: { 'text/html': { schema: z.string() } } } },
    },
  },
  {
    method: 'get',
    path: DOCS_ROUTES.script,
    operation: {
      tags: ['documentation'],
      summary: "The API reference page's script, served by the app itself (no CDN)",
      security: PUBLIC,
      responses: { '200': { description: 'JavaScript.', content: { 'text/javascript': { schema: z.string() } } } },
    },
  },
];

/** What the document needs of an app: its name, its prefix (`api/orders`) and the routes of its features. */
export interface DocumentedApp {
  service: string;
  prefix: string;
  api: readonly ApiRoute[];
}

/** How the app serves the platform's routes: `metrics` false (METRICS_ENABLED=false) makes `/metrics` a 404. */
export interface PlatformRoutes {
  metrics?: boolean;
}

/** The app's OpenAPI 3.1 document: its features' routes and the platform's, under its prefix. */
export function buildOpenApiDocument(
  app: DocumentedApp,
  { metrics = true }: PlatformRoutes = {},
): ReturnType<typeof createDocument> {
  const paths: ZodOpenApiPathsObject = {};
  const platform = metrics
    ? PLATFORM_API
    : PLATFORM_API.map((route) => (route.path === METRICS_ROUTE ? METRICS_OFF_ROUTE : route));
  for (const route of [...app.api, ...platform]) {
    const path = `/${app.prefix}${route.path}`;
    const item = (paths[path] ??= {});
    if (item[route.method]) throw new Error(`${route.method.toUpperCase()} ${path} is described twice`);
    item[route.method] = { operationId: operationId(route), ...route.operation };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: `${app.service} API`,
      version: '1',
      description: `The ${app.service} app of the commerce system (docs/contract.md). Errors are application/problem+json.`,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // Paths carry the prefix: the same through the gateway and straight to the app.
    servers: [{ url: '/', description: 'The gateway, or the app itself' }],
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token from `POST /api/auth/login` (EdDSA or RS256, issuer commerce-auth, audience commerce).',
        },
        // The notification stream alone: EventSource cannot send an Authorization header.
        ...(app.api.some((route) => route.operation.security?.some((s) => 'accessTokenQuery' in s))
          ? {
              accessTokenQuery: {
                type: 'apiKey' as const,
                in: 'query' as const,
                name: 'access_token',
                description: 'The same access token, as a query parameter.',
              },
            }
          : {}),
      },
    },
  });
}

// `get /{id}/history` -> `getIdHistory`: unique per app, stable across builds.
function operationId(route: ApiRoute): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return route.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('') || route.method;
}
