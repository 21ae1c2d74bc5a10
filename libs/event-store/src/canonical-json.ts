import { InvalidEventError } from './errors';

/** Deeper nesting than this is refused; it also stops a value that refers to itself. */
const MAX_DEPTH = 256;

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
  try {
    return write(value, 0);
  } catch (error) {
    if (!(error instanceof NotJson)) throw error;
    const path = `$${error.segments.reverse().join('')}`;
    throw new InvalidEventError(`${error.reason} (at ${path})`, { path });
  }
}

/** Raised deep inside; each enclosing level adds its segment, so the path costs nothing on success. */
class NotJson {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

function write(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`the number ${value} is not JSON`);
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      throw new NotJson(`a ${typeof value} is not JSON`);
  }
  if (depth >= MAX_DEPTH) throw new NotJson(`nested deeper than ${MAX_DEPTH} levels, or the value refers to itself`);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += within(`[${i}]`, value[i], depth);
    }
    return `${text}]`;
  }
  // A plain object's prototype is null or some realm's Object.prototype (whose own prototype is null).
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (
    (prototype !== null && Object.getPrototypeOf(prototype) !== null) ||
    Object.prototype.toString.call(value) !== '[object Object]'
  ) {
    throw new NotJson(`a ${(value as object).constructor?.name ?? 'class'} instance is not plain JSON`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) text += ',';
    first = false;
    text += `${JSON.stringify(key)}:${within(`.${key}`, member, depth)}`;
  }
  return `${text}}`;
}

function within(segment: string, value: unknown, depth: number): string {
  try {
    return write(value, depth + 1);
  } catch (error) {
    if (error instanceof NotJson) error.segments.push(segment);
    throw error;
  }
}
