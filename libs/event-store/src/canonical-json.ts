import { InvalidEventError } from './errors';

/**
 * Canonical JSON (the RFC 8785 subset our events use): object keys sorted by UTF-16 code units,
 * no whitespace, numbers in ECMAScript form. Hashes and signatures are computed over this text,
 * so it must be the same on every machine and for every key order.
 *
 * Only JSON values are accepted: plain objects, arrays, strings, finite numbers, booleans and
 * null. Object properties whose value is `undefined` are left out, as JSON.stringify does.
 * Anything else (bigint, NaN, Infinity, functions, symbols, class instances, cycles) throws
 * `InvalidEventError`, so a value that would not survive a round trip is never stored.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '$', new Set());
}

function write(value: unknown, path: string, ancestors: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, `the number ${value} is not JSON`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw notJson(path, `a ${typeof value} is not JSON`);
  }
  const object = value as object;
  if (ancestors.has(object)) throw notJson(path, 'the value refers to itself');
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item, index) => write(item, `${path}[${index}]`, ancestors)).join(',')}]`;
    }
    // A plain object's prototype is null or some realm's Object.prototype (whose own prototype is null).
    const prototype = Object.getPrototypeOf(object) as object | null;
    const plain = prototype === null || Object.getPrototypeOf(prototype) === null;
    if (!plain || Object.prototype.toString.call(object) !== '[object Object]') {
      throw notJson(path, `a ${object.constructor?.name ?? 'class'} instance is not plain JSON`);
    }
    const record = object as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${write(record[key], `${path}.${key}`, ancestors)}`);
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}

function notJson(path: string, reason: string): InvalidEventError {
  return new InvalidEventError(`${reason} (at ${path})`, { path });
}
