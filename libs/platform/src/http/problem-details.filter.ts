import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ZodError } from 'zod';
import { overloadReason } from '../database/overload.ts';
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
  'encoding.unsupported': 'The request body uses an unsupported content encoding.',
  'charset.unsupported': 'The request body uses an unsupported charset.',
};

/** Seconds a client is told to wait (Retry-After) when the app is overloaded. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/**
 * Turns every error into an `application/problem+json` response; only the unexpected ones are 500.
 * Database overload (no connection or transaction in time, see overload.ts) is a 503 with
 * Retry-After: the work it failed to start did not happen, and the request may be sent again. Only
 * HTTP: an event handler's error is rethrown, so the consumer's retries apply.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetailsFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const overload = overloadReason(error);
    const body = overload
      ? problem(503, 'The service is too busy to take this request now; try again shortly.')
      : this.toProblem(error);
    body.instance = request.originalUrl?.split('?')[0];
    // Resolved here too: a body-parser error happens before the correlation middleware runs.
    body.correlationId = resolveCorrelationId(request, response);
    if (overload) {
      // One short line each: under overload, stack traces would add to the load.
      this.logger.warn({ reason: overload, error: (error as Error).message }, 'Overloaded: answered 503');
    } else if (body.status >= 500) {
      this.logger.error({ err: error }, 'Unhandled error');
    }
    if (response.headersSent) return;
    if (overload) response.setHeader('Retry-After', String(OVERLOAD_RETRY_AFTER_SECONDS));
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
