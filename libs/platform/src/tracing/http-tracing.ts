import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { NextFunction, Request, Response } from 'express';
import { parseTraceparent, tracingEnabled } from './tracing.ts';

/**
 * The server span of each HTTP request (auto-instrumentation does not reach the bundled apps): it
 * continues the caller's `traceparent` when one is sent, is current while Nest handles the request
 * (so the outbox rows it writes carry it), and ends when the response is finished, named by its
 * route. With tracing off it only passes the request on.
 */
export function httpTracing(req: Request, res: Response, next: NextFunction): void {
  if (!tracingEnabled()) return next();
  const given = req.headers.traceparent;
  const remote = parseTraceparent(Array.isArray(given) ? given[0] : given);
  const parent = remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  const span = trace.getTracer('commerce').startSpan(
    req.method,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path },
    },
    parent,
  );
  const end = () => {
    // The route template (/api/orders/:id), not the path: spans group by route.
    const route = (req.route as { path?: string } | undefined)?.path;
    if (route) {
      span.updateName(`${req.method} ${req.baseUrl}${route}`);
      span.setAttribute('http.route', `${req.baseUrl}${route}`);
    }
    span.setAttribute('http.response.status_code', res.statusCode);
    if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  };
  res.once('finish', end);
  res.once('close', () => {
    if (!res.writableFinished) end();
  });
  context.with(trace.setSpan(parent, span), next);
}
