import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_CATALOG } from './catalog.ts';
import { EVENT_FLOWS } from './choreography.ts';

describe('the choreography', () => {
  it('says who publishes and who consumes each event type of the catalog', () => {
    expect(Object.keys(EVENT_FLOWS).sort()).toEqual(Object.keys(EVENT_CATALOG).sort());
  });

  it("names as the key a field that every version's data has", () => {
    for (const [type, flow] of Object.entries(EVENT_FLOWS)) {
      for (const { version, schema } of EVENT_CATALOG[type as keyof typeof EVENT_CATALOG].versions) {
        const fields = Object.keys((schema as z.ZodObject).shape);
        expect(fields, `${type} v${version}`).toContain(flow.key);
      }
    }
  });

  it('has no app consume what it publishes itself', () => {
    for (const [type, flow] of Object.entries(EVENT_FLOWS)) {
      expect(Object.keys(flow.consumers), type).not.toContain(flow.publisher);
    }
  });
});
