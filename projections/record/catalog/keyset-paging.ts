/**
 * Keyset paging: a page ends with the sort key of its last row, and the next page starts strictly
 * after it. Unlike offsets, rows inserted or archived between two requests never shift a page, so
 * no row is skipped or shown twice. Every order ends with a unique column, so it is total.
 */

export const MAX_PAGE_SIZE = 500;

/** A client's paging or filter input the read model cannot answer; the API maps it to 400. */
export class InvalidReadQueryError extends Error {
  readonly code = 'INVALID_READ_QUERY';

  constructor(
    message: string,
    readonly details: { field: string; value: unknown },
  ) {
    super(message);
    this.name = 'InvalidReadQueryError';
  }
}

export type SortValue = string | number;

export interface SortKey<V> {
  /** SQL column (non-null); an ascending ORDER BY term. */
  column: string;
  type: 'string' | 'number';
  /** The key's value on an item, in a form the column compares with (`HH:MM` for TIME). */
  valueOf(item: V): SortValue;
}

export interface Condition {
  sql: string;
  params: unknown[];
}

export function requirePageSize(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidReadQueryError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`, {
      field: 'limit',
      value: limit,
    });
  }
  return limit;
}

/** Opaque to clients: base64url of the list's name and the last item's sort key. */
export function encodeCursor<V>(list: string, keys: readonly SortKey<V>[], last: V): string {
  return Buffer.from(JSON.stringify([list, keys.map((key) => key.valueOf(last))])).toString('base64url');
}

/** The sort key a cursor continues after; a cursor of another list or a tampered one is refused. */
export function decodeCursor<V>(list: string, keys: readonly SortKey<V>[], cursor: string): SortValue[] {
  const refuse = () =>
    new InvalidReadQueryError(`cursor is not a cursor of ${list}`, { field: 'cursor', value: cursor });
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== list) throw refuse();
  const values: unknown = decoded[1];
  if (!Array.isArray(values) || values.length !== keys.length) throw refuse();
  keys.forEach((key, index) => {
    if (typeof values[index] !== key.type) throw refuse();
  });
  return values as SortValue[];
}

/**
 * Rows strictly after `values` in the order of `keys`:
 * `k1 >= ? AND (k1 > ? OR (k1 = ? AND (k2 > ? OR …)))`. The leading `k1 >= ?` lets the optimizer
 * range-scan an index that starts with k1, which an OR chain alone does not.
 */
export function afterKey<V>(keys: readonly SortKey<V>[], values: readonly SortValue[]): Condition {
  const chain = (index: number): Condition => {
    const { column } = keys[index];
    if (index === keys.length - 1) return { sql: `${column} > ?`, params: [values[index]] };
    const rest = chain(index + 1);
    return {
      sql: `(${column} > ? OR (${column} = ? AND ${rest.sql}))`,
      params: [values[index], values[index], ...rest.params],
    };
  };
  const ordered = chain(0);
  return { sql: `${keys[0].column} >= ? AND ${ordered.sql}`, params: [values[0], ...ordered.params] };
}

export function orderBy<V>(keys: readonly SortKey<V>[]): string {
  return keys.map((key) => key.column).join(', ');
}

/** One list: its table, columns, order and row mapping. */
export interface ListDefinition<V, T extends string = string> {
  name: string;
  table: T;
  select: string;
  sortKeys: readonly SortKey<V>[];
  toView(row: Record<string, unknown>): V;
}

/**
 * One page of a list in keyset order: the rows after the cursor that pass the filters, and the
 * cursor of the next page (null on the last one).
 */
export async function keysetPage<V>(
  rows: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>,
  qualifiedTable: string,
  list: ListDefinition<V>,
  page: { limit: unknown; cursor: string | null | undefined },
  filters: (Condition | null)[],
): Promise<{ items: V[]; nextCursor: string | null }> {
  const limit = requirePageSize(page.limit);
  const conditions = filters.filter((condition): condition is Condition => condition !== null);
  if (page.cursor !== undefined && page.cursor !== null) {
    conditions.push(afterKey(list.sortKeys, decodeCursor(list.name, list.sortKeys, page.cursor)));
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '';
  // One row more than asked says whether another page follows.
  const found = await rows(
    `SELECT ${list.select} FROM ${qualifiedTable} ${where} ORDER BY ${orderBy(list.sortKeys)} LIMIT ?`,
    [...conditions.flatMap((condition) => condition.params), limit + 1],
  );
  const items = found.slice(0, limit).map((row) => list.toView(row));
  const more = found.length > limit;
  return { items, nextCursor: more ? encodeCursor(list.name, list.sortKeys, items[items.length - 1] as V) : null };
}
