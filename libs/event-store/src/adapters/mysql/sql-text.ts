/**
 * SQL literals for the append path, built directly instead of through mysql2's `format`, which
 * scans the statement for placeholders and escapes every `"` of the JSON texts (about three times
 * the cost per row).
 */

/** The characters that would need escaping inside single quotes (NUL only for good measure). */
const NEEDS_ESCAPE = /[\0'\\]/;

/**
 * A string literal: the text in single quotes when it has nothing to escape (double quotes, all
 * over JSON, need none), else as a hex literal of its UTF-8 bytes. Hex reads the same whatever
 * the session's sql_mode (backslash escapes mean nothing under NO_BACKSLASH_ESCAPES).
 */
export function sqlString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? `X'${Buffer.from(text, 'utf8').toString('hex')}'` : `'${text}'`;
}

/** A string literal, or NULL. */
export function sqlNullableString(text: string | null): string {
  return text === null ? 'NULL' : sqlString(text);
}

/** An integer literal; anything but a safe integer or a bigint is refused rather than quoted. */
export function sqlInteger(value: bigint | number): string {
  if (typeof value === 'bigint' || Number.isSafeInteger(value)) return String(value);
  throw new TypeError(`not an integer: ${String(value)}`);
}
