import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { correlationIdOf, currentCorrelation, resolveCorrelationId, runWithCorrelation } from './correlation.ts';

function request(headers: Record<string, string> = {}): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function response(): ServerResponse & { sent: Record<string, string> } {
  const sent: Record<string, string> = {};
  return {
    sent,
    headersSent: false,
    hasHeader: (name: string) => name.toLowerCase() in sent,
    setHeader: (name: string, value: string) => {
      sent[name.toLowerCase()] = value;
    },
  } as unknown as ServerResponse & { sent: Record<string, string> };
}

describe('correlation ids', () => {
  it('keeps a sane id the caller sent and echoes it', () => {
    const req = request({ 'x-correlation-id': 'abc-123' });
    const res = response();
    expect(resolveCorrelationId(req, res)).toBe('abc-123');
    expect(res.sent['x-correlation-id']).toBe('abc-123');
    expect(correlationIdOf(req)).toBe('abc-123');
  });

  it('replaces a missing or unsafe id with a new uuid, once per request', () => {
    const req = request({ 'x-correlation-id': 'has spaces\nand newlines' });
    const first = resolveCorrelationId(req);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(resolveCorrelationId(req)).toBe(first);
    expect(resolveCorrelationId(request())).not.toBe(first);
  });

  it('carries the correlation through async work', async () => {
    expect(currentCorrelation()).toBeUndefined();
    const seen = await runWithCorrelation({ correlationId: 'c-1', causationId: 'e-1' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentCorrelation();
    });
    expect(seen).toEqual({ correlationId: 'c-1', causationId: 'e-1' });
  });
});
