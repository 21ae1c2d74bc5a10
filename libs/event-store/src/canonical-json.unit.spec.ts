import { canonicalJson } from './canonical-json';
import { InvalidEventError } from './errors';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever the key order', () => {
    expect(canonicalJson({ x: 1, y: [true, null] })).toBe(canonicalJson({ y: [true, null], x: 1 }));
  });

  it('sorts by UTF-16 code units and keeps unicode as is', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '😀': 'ø' })).toBe('{"Z":3,"z":2,"é":1,"😀":"ø"}');
  });

  it('writes numbers in ECMAScript form', () => {
    expect(canonicalJson([1.5, -0, 1e21, 0.000001, 100])).toBe('[1.5,0,1e+21,0.000001,100]');
  });

  it('leaves out undefined object members, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.k = 'v';
    expect(canonicalJson(bare)).toBe('{"k":"v"}');
  });

  it.each([
    ['a bigint', { n: 1n }],
    ['NaN', { n: NaN }],
    ['Infinity', [Infinity]],
    ['a function', { f: () => 1 }],
    ['a symbol', { s: Symbol('s') }],
    ['undefined in an array', [undefined]],
    ['a Date', { at: new Date(0) }],
    ['a Map', { m: new Map() }],
    ['a class instance', { x: new (class Point {})() }],
  ])('refuses %s with InvalidEventError', (_, value) => {
    expect(() => canonicalJson(value)).toThrow(InvalidEventError);
  });

  it('names the path of the value it refuses', () => {
    expect(() => canonicalJson({ order: { lines: [{ ok: 1 }, { activity: NaN }] } })).toThrow(
      '(at $.order.lines[1].activity)',
    );
  });

  it('refuses a cycle but accepts a shared, acyclic reference', () => {
    const shared = { k: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"k":1},"b":{"k":1}}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(/refers to itself \(at \$\.self\.self/);
  });
});
