import { gzipSync } from 'node:zlib';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpSink, startOtlpSink } from './otlp-sink.ts';

const jsonRequest = (spansPerScope: number[]) =>
  JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [] },
        scopeSpans: spansPerScope.map((n) => ({ spans: Array.from({ length: n }, () => ({ name: 's' })) })),
      },
    ],
  });

describe('the OTLP sink', () => {
  let sink: OtlpSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it("takes the SDK's protobuf exports, answers them 200 and counts their requests, bytes and spans", async () => {
    sink = await startOtlpSink();
    const provider = new TracerProvider({
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${sink.url}/v1/traces` }) })],
    });
    const tracers = [provider.getTracer('a'), provider.getTracer('b')];
    for (let i = 0; i < 5; i++) tracers[i % 2]!.startSpan(`span ${i}`, { attributes: { i } }).end();
    await provider.forceFlush();
    await provider.shutdown();
    const counts = sink.counts();
    expect(counts).toMatchObject({ spans: 5, refused: 0 });
    expect(counts.requests).toBeGreaterThanOrEqual(1);
    expect(counts.bytes).toBeGreaterThan(100);
  });

  it('takes JSON, gzipped or not, and answers {}', async () => {
    sink = await startOtlpSink();
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(`${sink!.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const plain = await post(jsonRequest([2, 3]));
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({});
    expect((await post(gzipSync(jsonRequest([4])), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(sink.counts()).toMatchObject({ requests: 2, spans: 9, refused: 0 });
  });

  it('refuses what is not an OTLP/HTTP trace export, and counts it apart', async () => {
    sink = await startOtlpSink();
    const statuses = await Promise.all([
      fetch(`${sink.url}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      fetch(`${sink.url}/v1/traces`),
      fetch(`${sink.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }),
      fetch(`${sink.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }),
      fetch(`${sink.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: Buffer.from([0x0a, 0x10, 0x01]),
      }),
    ]).then((answers) => answers.map((a) => a.status));
    expect(statuses).toEqual([404, 405, 415, 400, 400]);
    expect(sink.counts()).toEqual({ requests: 0, bytes: 0, spans: 0, refused: 5 });
  });
});
