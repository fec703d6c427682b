import { describe, expect, it } from 'vitest';
import { JsonTooDeepError, jsonNestsDeeperThan, verifyJsonDepth } from './json-depth.ts';

const deeper = (text: string, max: number) => jsonNestsDeeperThan(Buffer.from(text), max);
const nested = (levels: number) => `${'{"a":['.repeat(levels / 2)}1${']}'.repeat(levels / 2)}`;

describe('JSON nesting depth', () => {
  it('counts objects and arrays alike, and allows exactly the limit', () => {
    expect(deeper(nested(32), 32)).toBe(false);
    expect(deeper(nested(34), 32)).toBe(true);
    expect(deeper(`${'['.repeat(33)}${']'.repeat(33)}`, 32)).toBe(true);
    expect(deeper('1', 1)).toBe(false);
    expect(deeper('{}', 1)).toBe(false);
    expect(deeper('{"a":{}}', 1)).toBe(true);
  });

  it('counts depth, not how many objects there are side by side', () => {
    expect(deeper(`[${Array.from({ length: 10_000 }, () => '{"a":[1]}').join(',')}]`, 3)).toBe(false);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(deeper(JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[\\" and \\\\' }), 1)).toBe(false);
    expect(deeper(JSON.stringify({ a: '"[[[', b: [[1]] }), 2)).toBe(true);
    expect(deeper(JSON.stringify({ a: 'ü[€[😀[', b: [1] }), 2)).toBe(false);
  });

  it('refuses in verify with a 400 the problem filter names, in UTF-8 and UTF-16 alike', () => {
    const verify = verifyJsonDepth(4);
    const deep = '[[[[[1]]]]]';
    expect(() => verify({} as never, {} as never, Buffer.from(deep), 'utf-8')).toThrow(JsonTooDeepError);
    expect(() => verify({} as never, {} as never, Buffer.from(deep, 'utf16le'), 'utf-16le')).toThrow(JsonTooDeepError);
    expect(() => verify({} as never, {} as never, Buffer.from('[[1]]'), 'utf-8')).not.toThrow();
    const error = new JsonTooDeepError(4);
    expect(error).toMatchObject({ status: 400, type: 'entity.too.deep', expose: true });
  });

  it('refuses a charset whose depth it cannot read (415) rather than letting it through unchecked', () => {
    expect(() => verifyJsonDepth(4)({} as never, {} as never, Buffer.alloc(8), 'utf-32')).toThrow(
      expect.objectContaining({ status: 415, type: 'charset.unsupported' }),
    );
  });
});
