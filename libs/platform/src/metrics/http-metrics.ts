import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Metrics } from './metrics.ts';

/** The label of a request that matched no route (a 404, or a request refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';
/** The label of routes beyond the limit: the series stay bounded however many patterns appear. */
export const OTHER_ROUTE = 'other';
const CATCH_ALL = /^\/?\*/;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route label of a request: the pattern its handler was registered with (`/api/orders/:id`),
 * never the URL, so an id or a scanner's random path cannot make a new series. A catch-all
 * (`*path`: how Nest mounts middleware for every route) is what a request that reached no handler
 * last matched: UNMATCHED_ROUTE. At most `limit` distinct patterns are kept; later ones share OTHER_ROUTE.
 */
export class RouteLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = 100) {}

  of(req: Pick<Request, 'route'>): string {
    const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
    if (typeof path !== 'string' || CATCH_ALL.test(path)) return UNMATCHED_ROUTE;
    if (this.seen.has(path)) return path;
    if (this.seen.size >= this.limit) return OTHER_ROUTE;
    this.seen.add(path);
    return path;
  }
}

/** The method label: the standard methods, anything else as OTHER. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}

/**
 * Counts every HTTP request and times it, by method, route pattern and status, when its response
 * ends. The app's first middleware (bootstrap.ts): what is answered before routing is `unmatched`.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  private readonly routes = new RouteLabels();
  private readonly requests;
  private readonly duration;

  constructor(metrics: Metrics) {
    const labelNames = ['method', 'route', 'status'] as const;
    this.requests = metrics.counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status.',
      labelNames,
    });
    this.duration = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from a request reaching the app to its response ending, by method, route pattern and status.',
      labelNames,
    });
  }

  // A bound function: Express calls it without its object.
  readonly use = (req: Request, res: Response, next: NextFunction): void => {
    const started = performance.now();
    res.once('finish', () => {
      const labels = { method: methodLabel(req.method), route: this.routes.of(req), status: String(res.statusCode) };
      this.requests.inc(labels);
      this.duration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
}
