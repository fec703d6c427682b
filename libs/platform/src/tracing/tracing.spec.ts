import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { loggerParams } from '../logging/logger.ts';
import {
  currentTraceId,
  currentTraceparent,
  flushTracing,
  formatTraceparent,
  inSpan,
  parseTraceparent,
  startTracing,
  tracingConfigured,
  tracingEnabled,
} from './tracing.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

// The pino mixin that every log line passes through.
const mixin = () => (loggerParams('test', 'info').pinoHttp as { mixin: () => Record<string, unknown> }).mixin();

describe('traceparent', () => {
  it('reads a W3C traceparent and writes it back the same', () => {
    const parsed = parseTraceparent(`00-${TRACE}-${SPAN}-01`);
    expect(parsed).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1, isRemote: true });
    expect(formatTraceparent(parsed!)).toBe(`00-${TRACE}-${SPAN}-01`);
  });

  it('refuses what is not one: all-zero ids, version ff, upper case, extra fields on version 00, garbage', () => {
    for (const value of [
      `00-${'0'.repeat(32)}-${SPAN}-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `ff-${TRACE}-${SPAN}-01`,
      `00-${TRACE.toUpperCase()}-${SPAN}-01`,
      `00-${TRACE}-${SPAN}-01-extra`,
      'not-a-traceparent',
      '',
      null,
      undefined,
    ])
      expect(parseTraceparent(value), String(value)).toBeUndefined();
    // A later version may add fields: its first four are read.
    expect(parseTraceparent(`01-${TRACE}-${SPAN}-01-later`)?.spanId).toBe(SPAN);
  });
});

describe('tracing off, then on', () => {
  const exporter = new InMemorySpanExporter();
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stop?.();
  });

  it('is off without an OTLP endpoint, and then makes no span, no context and no trace_id in logs', async () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(startTracing('test', { env: {} })).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    const seen = await inSpan('work', { parent: `00-${TRACE}-${SPAN}-01` }, async (span) => ({
      span,
      traceparent: currentTraceparent(),
      log: mixin(),
    }));
    expect(seen).toEqual({ span: undefined, traceparent: null, log: {} });
  });

  it('on, continues a stored traceparent, links another, and puts the trace id on log lines', async () => {
    stop = startTracing('test', { spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    expect(tracingEnabled()).toBe(true);
    const linked = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const inside = await inSpan('work', { parent: `00-${TRACE}-${SPAN}-01`, links: [linked, null] }, async () => ({
      traceparent: currentTraceparent(),
      traceId: currentTraceId(),
      log: mixin(),
    }));
    // Spans are handed to the exporter once the resource is complete: flushed, they are there.
    await flushTracing();
    const [span] = exporter.getFinishedSpans();
    expect(span.name).toBe('work');
    expect(span.spanContext().traceId).toBe(TRACE);
    expect(span.parentSpanContext?.spanId).toBe(SPAN);
    expect(span.links.map((l) => l.context.spanId)).toEqual(['2'.repeat(16)]);
    expect(inside.traceparent).toBe(formatTraceparent(span.spanContext()));
    expect(inside.traceId).toBe(TRACE);
    expect(inside.log).toEqual({ trace_id: TRACE });
    // Outside any span: nothing to carry.
    expect(currentTraceparent()).toBeNull();
  });

  it('records a failure on the span and passes it on', async () => {
    exporter.reset();
    await expect(
      inSpan('failing', {}, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await flushTracing();
    const [span] = exporter.getFinishedSpans();
    expect(span.status).toMatchObject({ code: 2, message: 'boom' });
  });
});
