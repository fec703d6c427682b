import type { ZodOpenApiOperationObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { z } from 'zod';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details.ts';

/**
 * One HTTP route of an app as its OpenAPI document describes it. A feature keeps its routes in a
 * table next to its controller (`<feature>.api.ts`), built from the same zod schemas its ZodPipes
 * validate with; the app's spec lists its features' tables (`AppSpec.api`).
 */
export interface ApiRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Under the app's prefix, in OpenAPI's spelling: `''` for the prefix itself, `/{id}/history`. */
  path: string;
  operation: ZodOpenApiOperationObject;
}

/** RFC 9457 problem details: the body of every error answer (libs/platform/src/http/problem-details.ts). */
export const ProblemDetailsSchema = z
  .object({
    type: z.string().meta({ example: 'about:blank' }),
    title: z.string().meta({ example: 'Unprocessable Entity' }),
    status: z.number().int().meta({ example: 422 }),
    detail: z.string().meta({ example: 'The body is not valid.' }),
    instance: z.string().optional().meta({ description: 'The request path.', example: '/api/orders' }),
    correlationId: z.string().optional().meta({ description: "The request's X-Correlation-Id.", example: 'c0ffee-42' }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({
        description: 'Each field that is wrong (422 only).',
        example: [{ field: 'items.0.quantity', message: 'must be at least 1' }],
      }),
  })
  .meta({ id: 'ProblemDetails', description: 'An error, as application/problem+json (RFC 9457).' });

// What each error status means on every route that may answer it (docs/contract.md, REST).
const PROBLEM_MEANINGS: Record<number, string> = {
  400: 'Malformed request: not JSON, nested too deep, or a cursor this API did not return.',
  401: 'No valid access token (missing, malformed, expired or forged). Carries `WWW-Authenticate: Bearer`.',
  403: 'The token lacks the role this route needs.',
  404: "No such resource, or another customer's.",
  409: "The change conflicts with the resource's state.",
  413: 'The body is over the size limit.',
  415: 'The body is in a charset other than UTF-8 or UTF-16.',
  422: 'The body, query, path parameter or a header breaks its schema; `errors` names each field.',
  429: 'Too many attempts: wait for `Retry-After` seconds.',
  500: 'An unexpected error.',
  503: "Overloaded, the database unreachable, or auth's keys not fetchable: retry after `Retry-After` seconds.",
};

const retryAfter = z.object({
  'Retry-After': z.string().meta({ description: 'Seconds to wait before trying again.', example: '5' }),
});

/** Problem+json answers for `statuses`, each with its meaning (or the one given) and the shared schema. */
export function problemResponses(...statuses: Array<number | [number, string]>): ZodOpenApiResponsesObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const entry of statuses) {
    const [status, description] = Array.isArray(entry) ? entry : [entry, PROBLEM_MEANINGS[entry] ?? 'An error.'];
    responses[String(status) as `${1 | 2 | 3 | 4 | 5}${string}`] = {
      description,
      ...(status === 429 || status === 503 ? { headers: retryAfter } : {}),
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemDetailsSchema } },
    };
  }
  return responses;
}

/** What any route with a body or query may answer besides its own outcomes. */
export const INPUT_PROBLEMS = [400, 413, 415, 422, 503] as const;
/** What any route behind an access token may answer besides its own outcomes. */
export const AUTHENTICATED_PROBLEMS = [401, 503] as const;

/** The security requirement of a route behind an access token (`Authorization: Bearer <accessToken>`). */
export const BEARER = [{ bearerAuth: [] }];
/** The security requirement of a public route. */
export const PUBLIC: Array<Record<string, string[]>> = [];

/** A JSON body or answer of `schema`, with an example. */
export function json<S extends z.ZodType>(schema: S, example?: z.input<S> | z.output<S>) {
  return { 'application/json': { schema, ...(example === undefined ? {} : { example }) } };
}
