import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';

/** What the current unit of work (a request or a handled event) is part of. */
export interface CorrelationContext {
  correlationId: string;
  causationId?: string | null;
  /** Set while an event is handled: the event and the topic it came from. */
  eventId?: string;
  topic?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

/** Runs `fn` with `context` as the current correlation; logs and published events pick it up. */
export function runWithCorrelation<T>(context: CorrelationContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The correlation of the work in progress, if any. */
export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

// A caller's id is kept only if it is a sane token: it ends up in logs and headers.
const ACCEPTABLE_ID = /^[\w.:-]{1,128}$/;

const REQUEST_KEY = Symbol('correlationId');
type Tagged = IncomingMessage & { [REQUEST_KEY]?: string };

/** Takes the request's X-Correlation-Id (or makes one), remembers it and echoes it in the response. */
export function resolveCorrelationId(req: IncomingMessage, res?: ServerResponse): string {
  const tagged = req as Tagged;
  if (!tagged[REQUEST_KEY]) {
    const given = req.headers[CORRELATION_HEADER];
    const candidate = Array.isArray(given) ? given[0] : given;
    tagged[REQUEST_KEY] = candidate && ACCEPTABLE_ID.test(candidate) ? candidate : randomUUID();
    req.headers[CORRELATION_HEADER] = tagged[REQUEST_KEY];
  }
  if (res && !res.headersSent && !res.hasHeader(CORRELATION_HEADER))
    res.setHeader('X-Correlation-Id', tagged[REQUEST_KEY]);
  return tagged[REQUEST_KEY];
}

/** The correlation id already resolved for this request, if any. */
export function correlationIdOf(req: IncomingMessage): string | undefined {
  return (req as Tagged)[REQUEST_KEY];
}
