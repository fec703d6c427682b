import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ZodError } from 'zod';
import { overloadReason } from '../database/overload.ts';
import { databaseUnavailableReason } from '../database/unavailable.ts';
import { resolveCorrelationId } from '../logging/correlation.ts';
import { problem, PROBLEM_CONTENT_TYPE, type ProblemDetails } from './problem-details.ts';

/** Errors raised by Express' body parser before a route runs (malformed or oversized bodies). */
interface BodyParserError {
  type: string;
  status: number;
  expose?: boolean;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'type' in error &&
    'status' in error &&
    typeof (error as BodyParserError).status === 'number'
  );
}

const bodyParserDetails: Record<string, string> = {
  'entity.parse.failed': 'The request body is not valid JSON.',
  'entity.too.large': 'The request body is larger than this endpoint accepts.',
  'entity.too.deep': 'The request body nests JSON objects and arrays more deeply than this service accepts.',
  'encoding.unsupported': 'The request body uses an unsupported content encoding.',
  'charset.unsupported': 'The request body uses an unsupported charset.',
};

/** Seconds a client is told to wait (Retry-After) when the app is overloaded. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** Seconds a client is told to wait (Retry-After) while the database is unavailable: a restart takes a few. */
export const DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Why a request could not be served now, and how long the client should wait before sending it again. */
function unavailability(error: unknown): { reason: string; retryAfterSeconds: number; detail: string } | undefined {
  const overload = overloadReason(error);
  if (overload) {
    return {
      reason: overload,
      retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
      detail: 'The service is too busy to take this request now; try again shortly.',
    };
  }
  const outage = databaseUnavailableReason(error);
  if (outage) {
    return {
      reason: `database-${outage}`,
      retryAfterSeconds: DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS,
      detail: 'The service cannot reach its database now; try again shortly.',
    };
  }
  return undefined;
}

/**
 * Turns every error into an `application/problem+json` response; only the unexpected ones are 500.
 * Database overload (no connection or transaction in time, see overload.ts) and a database that is
 * unavailable (down, restarting, or the connection lost: unavailable.ts) are a 503 with
 * Retry-After: the request may be sent again. Only HTTP: an event handler's error is rethrown, so
 * the consumer's retries apply.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const unavailable = unavailability(error);
    const body = unavailable ? problem(503, unavailable.detail) : this.toProblem(error);
    body.instance = request.originalUrl?.split('?')[0];
    // Resolved here too: a body-parser error happens before the correlation middleware runs.
    body.correlationId = resolveCorrelationId(request, response);
    if (unavailable) {
      // One short line each: under overload or an outage, stack traces would add to the load.
      this.logger.warn({ reason: unavailable.reason, error: (error as Error).message }, 'Unavailable: answered 503');
    } else if (body.status >= 500) {
      this.logger.error({ err: error }, 'Unhandled error');
    }
    if (response.headersSent) return;
    if (unavailable) response.setHeader('Retry-After', String(unavailable.retryAfterSeconds));
    response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(error: unknown): ProblemDetails {
    // Express' body parser fails before any route; Nest wraps its error with the original as cause.
    const bodyError = error instanceof HttpException ? error.cause : error;
    if (isBodyParserError(bodyError) && bodyError.status >= 400 && bodyError.status < 500) {
      return problem(bodyError.status, bodyParserDetails[bodyError.type] ?? 'The request body could not be read.');
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const payload = error.getResponse();
      if (typeof payload === 'object' && payload !== null && 'detail' in payload) {
        const p = payload as Partial<ProblemDetails>;
        return problem(status, String(p.detail), { type: p.type, title: p.title, errors: p.errors });
      }
      const message = typeof payload === 'string' ? payload : (payload as { message?: unknown }).message;
      const detail = Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
      return problem(status, detail);
    }
    if (error instanceof ZodError) {
      return problem(400, 'The request is not valid.', {
        errors: error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
      });
    }
    return problem(500, 'An unexpected error occurred.');
  }
}
