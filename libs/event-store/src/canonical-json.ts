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
    throw asInvalidEvent(error);
  }
}

/** One member of a canonical JSON object: its key and its `"key":value` text. */
export type CanonicalMember = readonly [key: string, text: string];

/**
 * The members of a plain object's canonical JSON, sorted by key, so that members can be added
 * later (`joinCanonicalMembers`) without serialising the object again. Refuses exactly what
 * `canonicalJson` refuses, with the same messages.
 */
export function canonicalMembers(value: object): CanonicalMember[] {
  try {
    assertPlainObject(value);
    const record = value as Record<string, unknown>;
    const members: CanonicalMember[] = [];
    for (const key of Object.keys(record).sort()) {
      const member = record[key];
      if (member !== undefined) members.push([key, memberText(key, member, 0)]);
    }
    return members;
  } catch (error) {
    throw asInvalidEvent(error);
  }
}

/**
 * Canonical JSON of an object from its sorted members plus `extra` members (sorted by key, with
 * keys the object does not have): the same text `canonicalJson` gives for the merged object.
 */
export function joinCanonicalMembers(
  members: readonly CanonicalMember[],
  extra: readonly CanonicalMember[] = [],
): string {
  let text = '{';
  let e = 0;
  for (const [key, member] of members) {
    while (e < extra.length && extra[e][0] < key) text += (text.length > 1 ? ',' : '') + extra[e++][1];
    text += (text.length > 1 ? ',' : '') + member;
  }
  while (e < extra.length) text += (text.length > 1 ? ',' : '') + extra[e++][1];
  return `${text}}`;
}

/** Raised deep inside; each enclosing level adds its segment, so the path costs nothing on success. */
class NotJson {
  readonly segments: string[] = [];
  constructor(readonly reason: string) {}
}

function asInvalidEvent(error: unknown): unknown {
  if (!(error instanceof NotJson)) return error;
  const path = `$${error.segments.reverse().join('')}`;
  return new InvalidEventError(`${error.reason} (at ${path})`, { path });
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotJson(`the number ${value} is not JSON`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      break;
    default:
      throw new NotJson(`a ${typeof value} is not JSON`);
  }
  if (depth >= MAX_DEPTH) throw new NotJson(`nested deeper than ${MAX_DEPTH} levels, or the value refers to itself`);
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      // The try sits in the loop, not in a helper per element: it costs nothing until something throws.
      try {
        text += write(value[i], depth + 1);
      } catch (error) {
        if (error instanceof NotJson) error.segments.push(`[${i}]`);
        throw error;
      }
    }
    return `${text}]`;
  }
  assertPlainObject(value);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const member = record[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += memberText(key, member, depth);
  }
  return `${text}}`;
}

/** `"key":value` of a member of an object at `depth`. */
function memberText(key: string, member: unknown, depth: number): string {
  try {
    return `${JSON.stringify(key)}:${write(member, depth + 1)}`;
  } catch (error) {
    if (error instanceof NotJson) error.segments.push(`.${key}`);
    throw error;
  }
}

function assertPlainObject(value: object): void {
  // A plain object's prototype is null or some realm's Object.prototype (whose own prototype is null).
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (
    (prototype !== null && Object.getPrototypeOf(prototype) !== null) ||
    Object.prototype.toString.call(value) !== '[object Object]'
  ) {
    throw new NotJson(`a ${(value as object).constructor?.name ?? 'class'} instance is not plain JSON`);
  }
}
