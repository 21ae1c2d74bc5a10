import type { ProjectionTransaction } from '@tracershop/projections/engine';
import type { LegacyTable } from './legacy-tables';

/** One row of a legacy table as the projection wants it: its primary key and the columns it owns. */
export interface LegacyRow {
  table: LegacyTable;
  key: Readonly<Record<string, unknown>>;
  /** Owned columns only: a column left out is never written (e.g. `Users.password`). */
  values: Readonly<Record<string, unknown>>;
}

/** Tables whose `order_time` the projection sets to the local time of the event that changed the row. */
const STAMPED_TABLES: ReadonlySet<LegacyTable> = new Set<LegacyTable>(['orders', 't_orders']);

const quoted = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const identity = (row: LegacyRow) => `${row.table}|${JSON.stringify(row.key)}`;

function sameValues(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? null) !== (b[key] ?? null)) return false;
  return true;
}

/**
 * Writes the difference between the rows a state gave before an event and after it: deletes rows
 * that are gone, updates rows that changed, inserts new ones, each with plain INSERT/UPDATE/DELETE
 * by primary key. An insert that meets an existing key fails loudly (an id clash with the old
 * system must stop the projection, never overwrite its row). Rows that did not change are not
 * touched, so their `order_time` keeps the time of the event that last changed them.
 */
export async function syncRows(
  tx: ProjectionTransaction,
  before: readonly LegacyRow[],
  after: readonly LegacyRow[],
  orderTime: string,
): Promise<void> {
  const previous = new Map(before.map((row) => [identity(row), row]));
  const next = new Map(after.map((row) => [identity(row), row]));
  if (previous.size !== before.length || next.size !== after.length) {
    throw new Error(`Two legacy rows share a key: ${[...before, ...after].map(identity).join(', ')}`);
  }
  for (const [id, row] of previous) if (!next.has(id)) await deleteRow(tx, row);
  for (const [id, row] of next) {
    const old = previous.get(id);
    if (!old) await insertRow(tx, row, orderTime);
    else if (!sameValues(old.values, row.values)) await updateRow(tx, row, orderTime);
  }
}

function stamped(row: LegacyRow, orderTime: string): Record<string, unknown> {
  return STAMPED_TABLES.has(row.table) ? { ...row.values, order_time: orderTime } : { ...row.values };
}

async function insertRow(tx: ProjectionTransaction, row: LegacyRow, orderTime: string): Promise<void> {
  const values = { ...row.key, ...stamped(row, orderTime) };
  const columns = Object.keys(values);
  await tx.query(
    `INSERT INTO ${tx.table(row.table)} (${columns.map(quoted).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
    Object.values(values),
  );
}

async function updateRow(tx: ProjectionTransaction, row: LegacyRow, orderTime: string): Promise<void> {
  const values = stamped(row, orderTime);
  await tx.query(
    `UPDATE ${tx.table(row.table)} SET ${Object.keys(values)
      .map((column) => `${quoted(column)} = ?`)
      .join(', ')} WHERE ${where(row)}`,
    [...Object.values(values), ...Object.values(row.key)],
  );
}

async function deleteRow(tx: ProjectionTransaction, row: LegacyRow): Promise<void> {
  await tx.query(`DELETE FROM ${tx.table(row.table)} WHERE ${where(row)}`, Object.values(row.key));
}

function where(row: LegacyRow): string {
  return Object.keys(row.key)
    .map((column) => `${quoted(column)} = ?`)
    .join(' AND ');
}
