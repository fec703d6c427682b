import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
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
      // Lines logged outside a request (event handlers) carry the correlation of the work in progress.
      mixin: () => {
        const context = currentCorrelation();
        if (!context) return {};
        return {
          correlationId: context.correlationId,
          causationId: context.causationId ?? undefined,
          eventId: context.eventId,
          topic: context.topic,
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
