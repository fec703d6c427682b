import { describe, expect, it } from 'vitest';
import { methodLabel, OTHER_ROUTE, RouteLabels, UNMATCHED_ROUTE } from './http-metrics.ts';

const request = (path?: unknown) => ({ route: path === undefined ? undefined : { path } }) as never;

describe('route labels', () => {
  it('are the pattern a handler was registered with, not the URL', () => {
    const labels = new RouteLabels();
    expect(labels.of(request('/api/orders/:id'))).toBe('/api/orders/:id');
  });

  it('put every request that matched no route under one label', () => {
    const labels = new RouteLabels();
    expect(labels.of(request())).toBe(UNMATCHED_ROUTE);
    expect(labels.of(request(/^\/x/))).toBe(UNMATCHED_ROUTE);
    // Nest's middleware for every route is a route of its own; a request that reached no handler
    // matched it last.
    expect(labels.of(request('*path'))).toBe(UNMATCHED_ROUTE);
    expect(labels.of(request('/*path'))).toBe(UNMATCHED_ROUTE);
  });

  it('stay bounded: patterns past the limit share one label, those seen before keep theirs', () => {
    const labels = new RouteLabels(3);
    for (const path of ['/a', '/b', '/c']) expect(labels.of(request(path))).toBe(path);
    expect(labels.of(request('/d'))).toBe(OTHER_ROUTE);
    expect(labels.of(request('/e'))).toBe(OTHER_ROUTE);
    expect(labels.of(request('/b'))).toBe('/b');
  });

  it('keep methods to the standard ones', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
  });
});
