import {
  type Attributes,
  context,
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanContext,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

// Tracing is off unless an OTLP endpoint is configured (or a test hands in its own processors).
// Off, nothing here creates a span or formats a context: each helper checks one flag and runs the work.
let enabled = false;
let sdk: NodeSDK | undefined;
let processors: SpanProcessor[] = [];

/** Spans of every app are made by one tracer; the app is the resource's service.name. */
const TRACER = 'commerce';

/** Whether this process traces: an OTLP endpoint is configured and the SDK is not disabled. */
export function tracingConfigured(env: Record<string, string | undefined> = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Whether spans are being made in this process. */
export function tracingEnabled(): boolean {
  return enabled;
}

export interface TracingOptions {
  env?: Record<string, string | undefined>;
  /** Where spans go instead of the OTLP exporter (a test's in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/**
 * Starts the OpenTelemetry SDK for `service` when tracing is configured (or processors are given),
 * exporting over OTLP/HTTP (protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT. No auto-instrumentation: the
 * apps are bundled, so the spans are made here and where the work happens. Returns the stop
 * function (flushes what is buffered), or undefined when tracing stays off.
 */
export function startTracing(service: string, options: TracingOptions = {}): (() => Promise<void>) | undefined {
  if (sdk) return undefined;
  if (!options.spanProcessors && !tracingConfigured(options.env)) return undefined;
  processors = options.spanProcessors ?? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })];
  const started = new NodeSDK({
    serviceName: service,
    spanProcessors: processors,
    instrumentations: [],
    // Traces only: metrics are Prometheus's (GET /metrics), logs are pino's JSON lines.
    metricReaders: [],
    logRecordProcessors: [],
  });
  started.start();
  sdk = started;
  enabled = true;
  return async () => {
    if (sdk !== started) return;
    enabled = false;
    sdk = undefined;
    processors = [];
    await started.shutdown();
  };
}

/** Sends the spans still buffered (an app closing); nothing when tracing is off. */
export async function flushTracing(): Promise<void> {
  await Promise.all(processors.map((processor) => processor.forceFlush()));
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** A W3C `traceparent` value as a span context, or undefined when it is absent or not one. */
export function parseTraceparent(value: string | null | undefined): SpanContext | undefined {
  const match = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5])) return undefined;
  const spanContext = { traceId: match[2], spanId: match[3], traceFlags: parseInt(match[4], 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** A span context as a W3C `traceparent` value. */
export function formatTraceparent(spanContext: SpanContext): string {
  return `00-${spanContext.traceId}-${spanContext.spanId}-${(spanContext.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The `traceparent` of the span in progress, or null when tracing is off or no span is active. */
export function currentTraceparent(): string | null {
  if (!enabled) return null;
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : null;
}

/** The trace id of the span in progress, for log lines; undefined when tracing is off. */
export function currentTraceId(): string | undefined {
  if (!enabled) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

export interface SpanOptions {
  kind?: SpanKind;
  /**
   * The parent: a stored or received `traceparent`, or 'root' for a new trace. Absent, the span in
   * progress is the parent; an unreadable traceparent starts a new trace.
   */
  parent?: string | null | 'root';
  /** `traceparent`s of spans this one follows from without being their child (the relay's publish span). */
  links?: Array<string | null | undefined>;
  attributes?: Attributes;
}

function parentContext(parent: SpanOptions['parent']): Context {
  if (parent === undefined) return context.active();
  if (parent === 'root' || parent === null) return ROOT_CONTEXT;
  const remote = parseTraceparent(parent);
  return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
}

/**
 * Runs `work` inside a new span (the current one while it runs) and ends it when `work` settles,
 * recording a failure as the span's error. With tracing off it only runs `work`.
 */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span?: Span) => Promise<T>): Promise<T> {
  if (!enabled) return work();
  const parent = parentContext(options.parent);
  const links = (options.links ?? []).flatMap((link) => {
    const linked = parseTraceparent(link);
    return linked ? [{ context: linked }] : [];
  });
  const span = trace
    .getTracer(TRACER)
    .startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind };
