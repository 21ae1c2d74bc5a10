import type { ProjectionTransaction } from './projection';

/** A row as the server prints it: every value its text form (or null), so a write-back is exact. */
export type TextRow = Record<string, unknown>;

/** A table the projection changes through `BatchRows`: its logical name and primary key columns. */
export interface BatchRowTable {
  readonly table: string;
  readonly key: readonly string[];
  /**
   * The table's unique keys besides the primary key (`uniqueKeysOf` reads them from the DDL), when
   * known. A stored row whose unique columns keep their stored values is then written with one
   * `INSERT … ON DUPLICATE KEY UPDATE`, which can only meet that row, instead of delete and insert.
   */
  readonly uniqueKeys?: readonly (readonly string[])[];
}

/** The columns of each `UNIQUE KEY` of a `CREATE TABLE` statement (the primary key not included). */
export function uniqueKeysOf(definition: (table: string) => string): string[][] {
  return [...definition('`t`').matchAll(/UNIQUE\s+(?:KEY|INDEX)\s+(?:`?\w+`?\s*)?\(([^)]*)\)/gi)].map((match) =>
    (match[1] ?? '').split(',').map((column) => column.trim().replace(/^`|`$/g, '')),
  );
}

interface Entry {
  /** The row as the batch sees it now; null when it does not exist. */
  row: TextRow | null;
  /** The row as the table holds it (as of the last flush); null when it holds none. */
  storedRow: TextRow | null;
  /** Whether the table holds a row with this key (as of the last flush). */
  stored: boolean;
  dirty: boolean;
}

/** Per batch transaction and table: rows by key. */
type BatchState = Map<string, Map<string, Entry>>;

/** Rows per SELECT, DELETE and INSERT statement. */
const CHUNK_ROWS = 500;

const quoted = (name: string) => `\`${name.replaceAll('`', '``')}\``;

/**
 * The rows a batch changes, kept in memory and written once at the end of the batch: a projection
 * reads a row (from the batch or, once, from its table), changes it, and hands it back; `flush`
 * (the projection's `flushBatch`) deletes the changed rows that were stored and inserts their new
 * versions as multi-row statements. A batch thus costs a few statements per table instead of one
 * or more per event.
 *
 * Why delete and insert rather than `INSERT … ON DUPLICATE KEY UPDATE`: an upsert that meets
 * another row's unique key updates that row, silently; a plain insert fails loudly, and after the
 * delete only the batch's final rows must be unique, as they are when each event's rows were.
 *
 * Only for tables whose every column the projection owns, and that no statement of the same batch
 * reads behind its back. Rows are read as text (`SELECT` with every value as the server prints it)
 * so that writing an unchanged value back stores exactly what was there.
 */
export class BatchRows {
  private readonly tables: ReadonlyMap<string, BatchRowTable>;
  private readonly batches = new WeakMap<ProjectionTransaction, BatchState>();

  constructor(tables: readonly BatchRowTable[]) {
    this.tables = new Map(tables.map((table) => [table.table, table]));
  }

  /** Reads the rows with these keys that the batch does not know yet, in chunks of one statement. */
  async preload(tx: ProjectionTransaction, table: string, keys: readonly Readonly<Record<string, unknown>>[]) {
    const spec = this.spec(table);
    const rows = this.rowsOf(tx, table);
    const missing = new Map<string, Readonly<Record<string, unknown>>>();
    for (const key of keys) {
      const id = keyString(spec, key);
      if (!rows.has(id)) missing.set(id, key);
    }
    // Tables that started empty hold only what this batch wrote, and that is in memory.
    const wanted = tx.startedEmpty ? [] : [...missing.entries()];
    for (const [id] of tx.startedEmpty ? missing : []) {
      rows.set(id, { row: null, storedRow: null, stored: false, dirty: false });
    }
    for (let start = 0; start < wanted.length; start += CHUNK_ROWS) {
      const chunk = wanted.slice(start, start + CHUNK_ROWS);
      const found = await tx.queryText(
        `SELECT * FROM ${tx.table(table)} WHERE ${keyCondition(spec, chunk.length)}`,
        chunk.flatMap(([, key]) => spec.key.map((column) => key[column])),
      );
      for (const row of found) rows.set(keyString(spec, row), { row, storedRow: row, stored: true, dirty: false });
      for (const [id] of chunk) {
        if (!rows.has(id)) rows.set(id, { row: null, storedRow: null, stored: false, dirty: false });
      }
    }
  }

  /** The row with this key as the batch sees it (a copy the caller may change); null when there is none. */
  async read(tx: ProjectionTransaction, table: string, key: Readonly<Record<string, unknown>>) {
    const spec = this.spec(table);
    const id = keyString(spec, key);
    let entry = this.rowsOf(tx, table).get(id);
    if (!entry) {
      await this.preload(tx, table, [key]);
      entry = this.rowsOf(tx, table).get(id);
    }
    return entry?.row ? { ...entry.row } : null;
  }

  /**
   * Keeps the row's new version for the batch; its key columns say which row it is. The row is
   * handed over, not copied (a hot path of every batch): the caller must not change it afterwards.
   */
  write(tx: ProjectionTransaction, table: string, row: TextRow): void {
    const spec = this.spec(table);
    for (const column of spec.key) {
      if (row[column] === undefined || row[column] === null) throw new Error(`${table}: a row without ${column}`);
    }
    const rows = this.rowsOf(tx, table);
    const id = keyString(spec, row);
    const entry = rows.get(id);
    if (entry) {
      entry.row = row;
      entry.dirty = true;
    } else {
      // Never read: it must be new, or the insert meets the stored row and fails loudly.
      rows.set(id, { row, storedRow: null, stored: false, dirty: true });
    }
  }

  /**
   * Writes the batch's changed rows: deletes the stored ones, inserts the new versions. The writes
   * are deferred (`tx.deferWrite`, `tx.insertRows` with `deferred`): they go out with the
   * checkpoint and the commit, so this belongs at the end of `flushBatch`, after the batch's last read.
   */
  async flush(tx: ProjectionTransaction): Promise<void> {
    const state = this.batches.get(tx);
    if (!state) return;
    for (const [table, rows] of state) {
      const spec = this.spec(table);
      const changed = [...rows.values()].filter((entry) => entry.dirty);
      if (changed.length === 0) continue;
      // A stored row that keeps its unique values is upserted in place: it can only meet itself.
      const upserted = changed.filter(
        (entry): entry is Entry & { row: TextRow } =>
          entry.stored && entry.row !== null && keepsUniqueValues(spec, entry.storedRow, entry.row),
      );
      const inPlace = new Set<Entry>(upserted);
      const stored = changed.filter((entry) => entry.stored && !inPlace.has(entry));
      for (let start = 0; start < stored.length; start += CHUNK_ROWS) {
        const chunk = stored.slice(start, start + CHUNK_ROWS);
        await tx.deferWrite(
          `DELETE FROM ${tx.table(table)} WHERE ${keyCondition(spec, chunk.length)}`,
          chunk.flatMap((entry) => spec.key.map((column) => (entry.row ?? {})[column])),
        );
      }
      for (let start = 0; start < upserted.length; start += CHUNK_ROWS) {
        await insertRows(
          tx,
          table,
          upserted.slice(start, start + CHUNK_ROWS).map((entry) => entry.row),
          spec.key,
        );
      }
      const present = changed.filter(
        (entry): entry is Entry & { row: TextRow } => entry.row !== null && !inPlace.has(entry),
      );
      for (let start = 0; start < present.length; start += CHUNK_ROWS) {
        await insertRows(
          tx,
          table,
          present.slice(start, start + CHUNK_ROWS).map((entry) => entry.row),
        );
      }
      for (const entry of changed) {
        entry.stored = entry.row !== null;
        entry.storedRow = entry.row;
        entry.dirty = false;
      }
    }
  }

  private spec(table: string): BatchRowTable {
    const spec = this.tables.get(table);
    if (!spec) throw new Error(`BatchRows: ${table} is not one of its tables`);
    return spec;
  }

  private rowsOf(tx: ProjectionTransaction, table: string): Map<string, Entry> {
    let state = this.batches.get(tx);
    if (!state) {
      state = new Map();
      this.batches.set(tx, state);
    }
    let rows = state.get(table);
    if (!rows) {
      rows = new Map();
      state.set(table, rows);
    }
    return rows;
  }
}

/**
 * One multi-row INSERT; a column a row does not set takes the column's default, as a single insert
 * would. With `upsertKey`, rows whose key exists replace that row's other columns (stored rows, read
 * whole, so no column falls back to its default).
 */
async function insertRows(
  tx: ProjectionTransaction,
  table: string,
  rows: readonly TextRow[],
  upsertKey?: readonly string[],
): Promise<void> {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const complete = rows.every((row) => columns.every((column) => row[column] !== undefined));
  if (!upsertKey && complete) {
    // Plain inserts of whole rows (a rebuild's, mostly) go in bulk.
    await tx.insertRows(
      table,
      columns,
      rows.map((row) => columns.map((column) => row[column])),
      { deferred: true },
    );
    return;
  }
  const params: unknown[] = [];
  const values = rows.map((row) => {
    const cells = columns.map((column) => {
      if (!Object.hasOwn(row, column) || row[column] === undefined) return 'DEFAULT';
      params.push(row[column]);
      return '?';
    });
    return `(${cells.join(', ')})`;
  });
  const updated = upsertKey ? columns.filter((column) => !upsertKey.includes(column)) : [];
  // A row of key columns only has nothing to replace: the no-op assignment keeps the insert from failing.
  if (upsertKey && updated.length === 0) updated.push(upsertKey[0]);
  // VALUES() in ON DUPLICATE KEY UPDATE is deprecated in MySQL 8.0.20+ but is the one form MariaDB also accepts.
  const onDuplicate =
    updated.length > 0
      ? ` ON DUPLICATE KEY UPDATE ${updated.map((column) => `${quoted(column)} = VALUES(${quoted(column)})`).join(', ')}`
      : '';
  await tx.deferWrite(
    `INSERT INTO ${tx.table(table)} (${columns.map(quoted).join(', ')}) VALUES ${values.join(', ')}${onDuplicate}`,
    params,
  );
}

/** Whether the row's unique columns hold what the table holds; never when the unique keys are unknown. */
function keepsUniqueValues(spec: BatchRowTable, stored: TextRow | null, row: TextRow): boolean {
  if (!spec.uniqueKeys || !stored) return false;
  return spec.uniqueKeys.every((columns) =>
    columns.every((column) => Object.hasOwn(row, column) && textOf(row[column]) === textOf(stored[column])),
  );
}

/** Keys compare as the text the server prints, whatever type the caller gave. */
function keyString(spec: BatchRowTable, row: Readonly<Record<string, unknown>>): string {
  if (spec.key.length === 1) return textOf(row[spec.key[0]]) ?? '\u0000null';
  return JSON.stringify(spec.key.map((column) => textOf(row[column])));
}

function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? '1' : '0';
  return String(value);
}

/** `k IN (?, …)` for one key column; `(a = ? AND b = ?) OR …` for several (ranges on the primary key either way). */
function keyCondition(spec: BatchRowTable, count: number): string {
  if (spec.key.length === 1)
    return `${quoted(spec.key[0])} IN (${Array.from({ length: count }, () => '?').join(', ')})`;
  const one = `(${spec.key.map((column) => `${quoted(column)} = ?`).join(' AND ')})`;
  return Array.from({ length: count }, () => one).join(' OR ');
}
