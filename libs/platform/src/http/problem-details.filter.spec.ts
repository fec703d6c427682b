import { type ArgumentsHost, Logger } from '@nestjs/common';
import { PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS,
  OVERLOAD_RETRY_AFTER_SECONDS,
  ProblemDetailsFilter,
} from './problem-details.filter.ts';

/** What the filter writes to an Express response. */
function fakeHttp(type: 'http' | 'rpc' = 'http') {
  const sent = { status: 0, headers: {} as Record<string, string>, body: undefined as unknown };
  const response = {
    headersSent: false,
    setHeader(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return response;
    },
    hasHeader: (name: string) => name.toLowerCase() in sent.headers,
    status(code: number) {
      sent.status = code;
      return response;
    },
    type(value: string) {
      sent.headers['content-type'] = value;
      return response;
    },
    send(body: string) {
      sent.body = JSON.parse(body);
      return response;
    },
  };
  const request = { originalUrl: '/api/orders?x=1', headers: { 'x-correlation-id': 'c-1' } };
  const host = {
    getType: () => type,
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

const startTimeout = new PrismaClientKnownRequestError(
  'Transaction API error: Unable to start a transaction in the given time.',
  { code: 'P2028', clientVersion: '7.10.0', meta: {} },
);

describe('ProblemDetailsFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers database overload with 503, Retry-After and a problem document', () => {
    const { host, sent } = fakeHttp();
    new ProblemDetailsFilter().catch(startTimeout, host);
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe(String(OVERLOAD_RETRY_AFTER_SECONDS));
    expect(sent.headers['content-type']).toBe('application/problem+json');
    expect(sent.body).toMatchObject({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: expect.stringMatching(/try again shortly/),
      instance: '/api/orders',
      correlationId: 'c-1',
    });
  });

  it('keeps any other unexpected error a 500, without Retry-After', () => {
    const { host, sent } = fakeHttp();
    const expired = new PrismaClientKnownRequestError(
      'Transaction API error: A query cannot be executed on an expired transaction.',
      { code: 'P2028', clientVersion: '7.10.0', meta: {} },
    );
    new ProblemDetailsFilter().catch(expired, host);
    expect(sent.status).toBe(500);
    expect(sent.headers['retry-after']).toBeUndefined();
  });

  it('answers a database that is down or lost its connection with 503, Retry-After and a problem document', () => {
    const down = new PrismaClientKnownRequestError("Can't reach database server at 127.0.0.1:5432", {
      code: 'P1001',
      clientVersion: '7.10.0',
      meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'DatabaseNotReachable' } } },
    });
    // node-postgres' own error, passed on by Prisma when the connection ends under a transaction.
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { clientVersion: '7.10.0' });
    for (const error of [down, lost]) {
      const { host, sent } = fakeHttp();
      new ProblemDetailsFilter().catch(error, host);
      expect(sent.status).toBe(503);
      expect(sent.headers['retry-after']).toBe(String(DATABASE_UNAVAILABLE_RETRY_AFTER_SECONDS));
      expect(sent.headers['content-type']).toBe('application/problem+json');
      expect(sent.body).toMatchObject({
        title: 'Service Unavailable',
        status: 503,
        detail: expect.stringMatching(/database.*try again shortly/),
        instance: '/api/orders',
        correlationId: 'c-1',
      });
    }
  });

  it("keeps someone else's socket error a 500: only the database's own errors mean it is down", () => {
    const { host, sent } = fakeHttp();
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read', errno: -104 });
    new ProblemDetailsFilter().catch(new Error('the provider failed', { cause: reset }), host);
    expect(sent.status).toBe(500);
    expect(sent.headers['retry-after']).toBeUndefined();
  });

  it('rethrows outside HTTP, so an event handler is retried by its consumer', () => {
    const { host, sent } = fakeHttp('rpc');
    expect(() => new ProblemDetailsFilter().catch(startTimeout, host)).toThrow(startTimeout);
    expect(sent.status).toBe(0);
  });
});
