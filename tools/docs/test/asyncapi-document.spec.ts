import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { defineEvent, EVENT_CATALOG, EVENT_FLOWS, OrderPlacedV1 } from '@commerce/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { asyncApiDocument, CONTRACTS, choreographyMermaid, type JsonSchema } from '../event-documents.ts';

const parser = new Parser();

async function errorsOf(document: JsonSchema): Promise<string[]> {
  const { diagnostics } = await parser.parse(JSON.stringify(document));
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('the AsyncAPI document of the events', () => {
  it('is valid AsyncAPI 3.0, with a channel per event type and an operation per publisher and consumer', async () => {
    const document = asyncApiDocument(CONTRACTS, { version: '0.1.0' });
    expect(await errorsOf(document)).toEqual([]);
    expect(Object.keys(document.channels as JsonSchema)).toEqual(Object.keys(EVENT_CATALOG));
    const expected = Object.entries(EVENT_FLOWS).flatMap(([type, flow]) => [
      `${flow.publisher}.send.${type}`,
      ...Object.keys(flow.consumers).map((consumer) => `${consumer}.receive.${type}`),
    ]);
    expect(Object.keys(document.operations as JsonSchema).sort()).toEqual(expected.sort());
  });

  it('describes every version: the publisher sends the newest, consumers receive them all', async () => {
    const v2 = OrderPlacedV1.extend({ couponCode: z.string().nullable() });
    const catalog = {
      ...EVENT_CATALOG,
      'order.placed': defineEvent('order.placed', [
        { version: 1, schema: OrderPlacedV1 },
        { version: 2, schema: v2, upcast: (v1: z.infer<typeof OrderPlacedV1>) => ({ ...v1, couponCode: null }) },
      ]),
    };
    const document = asyncApiDocument({ catalog, flows: EVENT_FLOWS }, { version: '0.1.0' });
    expect(await errorsOf(document)).toEqual([]);
    const operations = document.operations as Record<string, { messages: { $ref: string }[] }>;
    expect(operations['order.send.order.placed'].messages).toEqual([
      { $ref: '#/channels/order.placed/messages/order.placed.v2' },
    ]);
    expect(operations['payment.receive.order.placed'].messages).toEqual([
      { $ref: '#/channels/order.placed/messages/order.placed.v1' },
      { $ref: '#/channels/order.placed/messages/order.placed.v2' },
    ]);
    const schemas = (document.components as { schemas: Record<string, JsonSchema> }).schemas;
    expect(schemas['order.placed.v2'].required).toContain('couponCode');
    expect(schemas['order.placed.v1'].required).not.toContain('couponCode');
  });

  it('is checked for real: the parser refuses a broken one', async () => {
    const document = asyncApiDocument(CONTRACTS, { version: '0.1.0' });
    const operations = document.operations as Record<string, JsonSchema>;
    operations['order.send.order.placed'].channel = { $ref: '#/channels/order.gone' };
    expect((await errorsOf(document)).join('\n')).toMatch(/order\.gone/);
  });
});

describe('the choreography picture', () => {
  it('draws an arrow from each publisher to its topic and from the topic to each consumer', () => {
    const picture = choreographyMermaid(CONTRACTS);
    expect(picture).toMatch(/^flowchart LR\n/);
    expect(picture).toContain('  order --> order_placed\n');
    expect(picture).toContain('  order_placed --> inventory\n');
    expect(picture).toContain('  order_placed --> payment\n');
    expect(picture).toContain('  order_placed --> notification\n');
    expect(picture).not.toContain('inventory_released --> ');
  });
});
