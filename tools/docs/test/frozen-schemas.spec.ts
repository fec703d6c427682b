import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineEvent, EVENT_CATALOG, OrderCancelledV1, OrderPlacedV1 } from '@commerce/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventSchemas, type JsonSchema } from '../event-documents.ts';
import { judgeSchemas } from '../frozen-schemas.ts';

const SCHEMAS = join(import.meta.dirname, '../../../libs/contracts/schemas');
const frozen: Record<string, JsonSchema> = Object.fromEntries(
  readdirSync(SCHEMAS).map((file) => [
    file.replace(/\.json$/, ''),
    JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')),
  ]),
);

/** The catalog with one definition replaced. */
const catalogWith = (definition: ReturnType<typeof defineEvent>) => ({
  ...EVENT_CATALOG,
  [definition.type]: definition,
});

describe('frozen event schemas', () => {
  it('are the schemas of every version in the catalog', () => {
    expect(judgeSchemas(frozen, eventSchemas(EVENT_CATALOG))).toEqual({ breaking: [], toWrite: {}, notes: [] });
  });

  it('refuse a breaking change to a published version: a new required field', () => {
    const changed = OrderPlacedV1.extend({ couponCode: z.string() });
    const verdict = judgeSchemas(
      frozen,
      eventSchemas(catalogWith(defineEvent('order.placed', [{ version: 1, schema: changed }]))),
    );
    expect(verdict.breaking).toEqual([
      expect.stringMatching(
        /^order\.placed\.v1 is published and frozen, but its schema changed: \(data\)\.properties\.couponCode was \(absent\), is \{"type":"string"\}; \(data\)\.required was .*"paymentToken"\], is .*"paymentToken","couponCode"\]\. Restore it and add the next version with an upcaster/,
      ),
    ]);
    expect(verdict.toWrite).toEqual({});
  });

  it('refuse any other change to a published version too, even an added optional field or a looser bound', () => {
    const optional = OrderPlacedV1.extend({ couponCode: z.string().optional() });
    const looser = OrderPlacedV1.extend({ paymentToken: z.string() });
    for (const schema of [optional, looser]) {
      const verdict = judgeSchemas(
        frozen,
        eventSchemas(catalogWith(defineEvent('order.placed', [{ version: 1, schema }]))),
      );
      expect(verdict.breaking).toEqual([expect.stringMatching(/^order\.placed\.v1 is published and frozen/)]);
    }
  });

  it('refuse removing a value of an enum', () => {
    const narrowed = OrderCancelledV1.extend({ reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU', 'PAYMENT_DECLINED']) });
    const verdict = judgeSchemas(
      frozen,
      eventSchemas(catalogWith(defineEvent('order.cancelled', [{ version: 1, schema: narrowed }]))),
    );
    expect(verdict.breaking).toEqual([
      expect.stringContaining('(data).properties.reason.enum lost "CUSTOMER_CANCELLED", "TIMEOUT"'),
    ]);
  });

  it('let a new enum value stay in its version (docs/contract.md, Versions), and freeze it with the value', () => {
    const widened = OrderCancelledV1.extend({
      reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU', 'PAYMENT_DECLINED', 'CUSTOMER_CANCELLED', 'TIMEOUT', 'FRAUD']),
    });
    const current = eventSchemas(catalogWith(defineEvent('order.cancelled', [{ version: 1, schema: widened }])));
    const verdict = judgeSchemas(frozen, current);
    expect(verdict.breaking).toEqual([]);
    expect(verdict.toWrite).toEqual({ 'order.cancelled.v1': current['order.cancelled.v1'] });
    expect(verdict.notes).toEqual([
      'order.cancelled.v1: (data).properties.reason.enum gained "FRAUD" (a new enum value stays in its version)',
    ]);
  });

  it('take a change as a new version with its upcaster, and freeze the new version', () => {
    const v2 = OrderPlacedV1.extend({ couponCode: z.string().nullable() });
    const definition = defineEvent('order.placed', [
      { version: 1, schema: OrderPlacedV1 },
      { version: 2, schema: v2, upcast: (v1: z.infer<typeof OrderPlacedV1>) => ({ ...v1, couponCode: null }) },
    ]);
    const current = eventSchemas(catalogWith(definition));
    const verdict = judgeSchemas(frozen, current);
    expect(verdict.breaking).toEqual([]);
    expect(verdict.toWrite).toEqual({ 'order.placed.v2': current['order.placed.v2'] });
    expect(verdict.notes).toEqual(['order.placed.v2 is new: frozen from now on']);
  });

  it('refuse dropping a published version', () => {
    const { 'order.placed': _, ...rest } = EVENT_CATALOG;
    expect(judgeSchemas(frozen, eventSchemas(rest)).breaking).toEqual([
      'order.placed.v1 was published and is gone from the catalog: readers may still meet it, keep it',
    ]);
  });
});
