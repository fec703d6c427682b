import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { currentTraceId } from '../tracing/tracing.ts';
import { currentCorrelation, resolveCorrelationId } from './correlation.ts';

/** nestjs-pino settings: JSON lines, the correlation id on every line, no secrets in request logs. */
export function loggerParams(service: string, level: string): Params {
  return {
    pinoHttp: {
      level,
      base: { service },
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      messageKey: 'msg',
      genReqId: (req: IncomingMessage, res: ServerResponse) => resolveCorrelationId(req, res),
      customAttributeKeys: { reqId: 'correlationId' },
      // Lines logged outside a request (event handlers) carry the correlation of the work in progress,
      // and every line logged inside a span its trace id (when tracing is on), to find the trace from a log.
      mixin: () => {
        const context = currentCorrelation();
        const traceId = currentTraceId();
        if (!context) return traceId ? { trace_id: traceId } : {};
        return {
          correlationId: context.correlationId,
          causationId: context.causationId ?? undefined,
          eventId: context.eventId,
          topic: context.topic,
          trace_id: traceId,
        };
      },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        // EventSource clients pass their token in the query string: it never reaches a log.
        req: (req: { method: string; url: string }) => ({
          method: req.method,
          url: req.url.replace(/([?&]access_token=)[^&]*/gi, '$1[redacted]'),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req: IncomingMessage) => /\/health(\/live|\/ready)?$/.test(req.url ?? '') },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
