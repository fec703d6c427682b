import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi-document.ts';

const app = { service: 'order', prefix: 'api/orders', api: [] };

describe('the OpenAPI document', () => {
  it('describes the metrics route as the exposition while metrics are on, and as a 404 once they are off', () => {
    const responses = (options?: { metrics: boolean }) =>
      Object.keys(buildOpenApiDocument(app, options).paths?.['/api/orders/metrics']?.get?.responses ?? {});
    expect(responses()).toEqual(['200']);
    expect(responses({ metrics: true })).toEqual(['200']);
    expect(responses({ metrics: false })).toEqual(['404']);
  });
});
