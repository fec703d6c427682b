import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** What an OTLP sink has taken in: export requests answered 200, their bytes as sent, and their spans. */
export interface OtlpSinkCounts {
  requests: number;
  bytes: number;
  spans: number;
  /** Requests answered other than 200: not POST /v1/traces, a content type OTLP/HTTP does not use, a body not readable. */
  refused: number;
}

/**
 * An OTLP/HTTP trace receiver that keeps nothing but counts: where apps export spans when what is
 * measured is what tracing costs them, not the traces (tools/bench/otlp-sink, tests). Takes
 * `POST /v1/traces` as protobuf (what the apps send: libs/platform/src/tracing) or JSON, and answers
 * 200 with an empty ExportTraceServiceResponse, as a collector does.
 */
export interface OtlpSink {
  /** e.g. http://127.0.0.1:4318 — the apps' OTEL_EXPORTER_OTLP_ENDPOINT (the SDK adds /v1/traces). */
  url: string;
  port: number;
  counts(): OtlpSinkCounts;
  close(): Promise<void>;
}

const TRACES_PATH = '/v1/traces';
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** Starts the sink on `port` (0: a free one) of `host`. */
export async function startOtlpSink(options: { port?: number; host?: string } = {}): Promise<OtlpSink> {
  const counts: OtlpSinkCounts = { requests: 0, bytes: 0, spans: 0, refused: 0 };
  const refuse = (res: ServerResponse, status: number, message: string) => {
    counts.refused++;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(message);
  };
  const server = createServer((req, res) => {
    const type = req.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (req.url?.split('?')[0] !== TRACES_PATH) return void (req.resume(), refuse(res, 404, 'only /v1/traces'));
    if (req.method !== 'POST') return void (req.resume(), refuse(res, 405, 'POST only'));
    if (type !== PROTOBUF && type !== JSON_TYPE)
      return void (req.resume(), refuse(res, 415, `${PROTOBUF} or ${JSON_TYPE}`));
    readBody(req).then(
      (body) => {
        let spans: number;
        try {
          const plain = req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
          spans = type === PROTOBUF ? countProtobufSpans(plain) : countJsonSpans(plain.toString('utf8'));
        } catch (error) {
          return refuse(res, 400, `unreadable body: ${(error as Error).message}`);
        }
        counts.requests++;
        counts.bytes += body.length;
        counts.spans += spans;
        // An empty ExportTraceServiceResponse: zero bytes in protobuf, `{}` in JSON.
        if (type === PROTOBUF) res.writeHead(200, { 'content-type': PROTOBUF, 'content-length': '0' }).end();
        else res.writeHead(200, { 'content-type': JSON_TYPE }).end('{}');
      },
      () => refuse(res, 400, 'request aborted'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The spans of an OTLP/JSON ExportTraceServiceRequest: `resourceSpans[].scopeSpans[].spans[]`. */
export function countJsonSpans(text: string): number {
  const request = JSON.parse(text) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> };
  let spans = 0;
  for (const resource of request.resourceSpans ?? [])
    for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
  return spans;
}

/**
 * The spans of an OTLP protobuf ExportTraceServiceRequest, read from the wire format without its
 * schema: field 1 (ResourceSpans) holds field 2 (ScopeSpans), which holds field 2 (Span). Only
 * lengths are read; nothing of a span is decoded.
 */
export function countProtobufSpans(body: Uint8Array): number {
  let spans = 0;
  for (const [start, end] of embedded(body, 0, body.length, 1))
    for (const [scopeStart, scopeEnd] of embedded(body, start, end, 2))
      for (const _ of embedded(body, scopeStart, scopeEnd, 2)) spans++;
  return spans;
}

/** The byte ranges of every length-delimited field `field` of the message in `body[start, end)`. */
function* embedded(body: Uint8Array, start: number, end: number, field: number): Generator<[number, number]> {
  let at = start;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= end || shift > 63) throw new Error('truncated protobuf varint');
      const byte = body[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < end) {
    const key = varint();
    const wireType = key % 8;
    if (wireType === 0) varint();
    else if (wireType === 1) at += 8;
    else if (wireType === 5) at += 4;
    else if (wireType === 2) {
      const length = varint();
      if (at + length > end) throw new Error('truncated protobuf field');
      if (Math.floor(key / 8) === field) yield [at, at + length];
      at += length;
    } else throw new Error(`protobuf wire type ${wireType} not expected in OTLP`);
  }
  if (at > end) throw new Error('truncated protobuf field');
}
