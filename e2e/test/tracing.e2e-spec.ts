import { randomBytes } from 'node:crypto';
import { EVENT_HEADERS, EVENT_TYPES } from '@commerce/contracts';
import { parseTraceparent, startTracing } from '@commerce/platform';
import { adminQuery, testKafka, TopicReader, waitFor } from '@commerce/testing';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Customer, Shop } from './shop.ts';

// The five apps in this process share one tracer provider, whose spans an in-memory exporter keeps.
// Each span says where it ran: the HTTP route, the consumer group of a handler, the mail dispatcher.
describe('one trace per order, from the POST to the last email, across the outbox', () => {
  const exporter = new InMemorySpanExporter();
  let stopTracing: (() => Promise<void>) | undefined;
  let shop: Shop;
  let customer: Customer;
  let reader: TopicReader;

  beforeAll(async () => {
    stopTracing = startTracing('e2e', { spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    shop = await Shop.open();
    customer = await shop.customer();
    reader = await new TopicReader(
      testKafka(),
      EVENT_TYPES.map((type) => `${shop.stack.prefix}${type}`),
    ).start();
  });
  afterAll(async () => {
    await reader?.stop();
    await shop?.close();
    await stopTracing?.();
  });

  const ofOrder = (orderId: string) => (m: { value: string | null }) => m.value?.includes(orderId) ?? false;
  const spansOf = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const byId = (spanId: string | undefined) =>
    exporter.getFinishedSpans().find((s) => s.spanContext().spanId === spanId);

  it("continues the caller's trace through every event of the order and its emails, each hop linked to the relay that sent it", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const sku = await shop.product(5, 1200);
    const placed = await shop.place(customer, [{ sku, quantity: 1 }], 'tok_ok', {
      traceparent: `00-${traceId}-${callerSpanId}-01`,
    });
    expect((await shop.settled(customer, placed.id)).status).toBe('CONFIRMED');
    await waitFor(() => shop.emails(customer, placed.id).length === 2, { what: 'received and confirmed emails' });

    // Every event of the order in Kafka carries the trace: placed, reserved, authorized, confirmed, captured.
    const events = await reader.waitFor(5, { filter: ofOrder(placed.id) });
    const types = events.map((m) => m.topic.slice(shop.stack.prefix.length));
    expect(new Set(types)).toEqual(
      new Set(['order.placed', 'inventory.reserved', 'payment.authorized', 'order.confirmed', 'payment.captured']),
    );
    for (const message of events) {
      expect(parseTraceparent(message.headers[EVENT_HEADERS.traceparent])?.traceId, message.topic).toBe(traceId);
      expect(parseTraceparent(message.headers[EVENT_HEADERS.relayTraceparent]), message.topic).toBeDefined();
    }

    // The request's span is the caller's child, in the order app.
    const post = await waitFor(() =>
      spansOf(traceId).find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/orders'),
    );
    expect(post.parentSpanContext?.spanId).toBe(callerSpanId);

    // Both emails are sent in the order's trace, by the notification app's dispatcher.
    const emails = await waitFor(
      () => {
        const sent = spansOf(traceId).filter((s) => s.name === 'email send');
        return sent.length === 2 && sent;
      },
      { what: 'the two email spans in the trace' },
    );
    expect(emails.map((s) => s.attributes['commerce.notification.type']).sort()).toEqual([
      'ORDER_CONFIRMED',
      'ORDER_RECEIVED',
    ]);

    // Each event handled in each consuming app is a span of the trace: its parent the span that
    // stored the event (the context its message carried), linked to the relay's publish span.
    const handled = spansOf(traceId).filter((s) => s.kind === SpanKind.CONSUMER);
    const where = (s: ReadableSpan) =>
      `${String(s.attributes['messaging.consumer.group.name']).slice(shop.stack.prefix.length)} ${s.attributes['commerce.handler']}`;
    expect(new Set(handled.map(where))).toEqual(
      new Set([
        'inventory order.placed',
        'payment order.placed',
        'notification order.placed',
        'order inventory.reserved',
        'order payment.authorized',
        'inventory order.confirmed',
        'payment order.confirmed',
        'notification order.confirmed',
      ]),
    );
    for (const span of handled) {
      const message = events.find((m) => m.headers[EVENT_HEADERS.eventId] === span.attributes['messaging.message.id'])!;
      expect(message, where(span)).toBeDefined();
      const stored = parseTraceparent(message.headers[EVENT_HEADERS.traceparent])!;
      expect(span.parentSpanContext?.spanId, where(span)).toBe(stored.spanId);
      expect(byId(stored.spanId)?.name, where(span)).toBe('outbox append');

      const relay = parseTraceparent(message.headers[EVENT_HEADERS.relayTraceparent])!;
      expect(
        span.links.map((l) => l.context.spanId),
        where(span),
      ).toContain(relay.spanId);
      const publish = byId(relay.spanId);
      expect(publish?.name, where(span)).toBe('outbox publish');
      expect(publish?.kind).toBe(SpanKind.PRODUCER);
      // The relay's span is a trace of its own (its batch carries many), linked back to each row.
      expect(publish?.links.map((l) => l.context.spanId)).toContain(stored.spanId);
    }

    // The chain holds from the request to the last email: each span's parents lead to the POST.
    const root = (span: ReadableSpan): ReadableSpan => {
      const parent = byId(span.parentSpanContext?.spanId);
      return parent ? root(parent) : span;
    };
    for (const span of [...handled, ...emails]) expect(root(span), span.name).toBe(post);
  });

  it('sends no trace headers and stores no trace context once tracing is off', async () => {
    await stopTracing?.();
    stopTracing = undefined;
    exporter.reset();
    const sku = await shop.product(5, 900);
    const placed = await shop.place(customer, [{ sku, quantity: 1 }], 'tok_ok', {
      traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`,
    });
    expect((await shop.settled(customer, placed.id)).status).toBe('CONFIRMED');
    const events = await reader.waitFor(5, { filter: ofOrder(placed.id) });
    for (const message of events) {
      expect(Object.keys(message.headers), message.topic).not.toContain(EVENT_HEADERS.traceparent);
      expect(Object.keys(message.headers), message.topic).not.toContain(EVENT_HEADERS.relayTraceparent);
    }
    const rows = await adminQuery(
      shop.stack.database,
      'SELECT trace_context FROM orders.outbox WHERE message_key = $1',
      [placed.id],
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.trace_context === null)).toBe(true);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
