import type { ProjectionTransaction } from '@tracershop/projections/engine';
import { legacyTableDefinitions, type LegacyTable } from './legacy-tables';

/** One row of a legacy table as the projection wants it: its primary key and the columns it owns. */
export interface LegacyRow {
  table: LegacyTable;
  key: Readonly<Record<string, unknown>>;
  /** Owned columns only: a column left out is never written (e.g. `Users.password`). */
  values: Readonly<Record<string, unknown>>;
}

type Values = Readonly<Record<string, unknown>>;

/** Tables whose `order_time` the projection sets to the local time of the event that changed the row. */
const STAMPED_TABLES: ReadonlySet<LegacyTable> = new Set<LegacyTable>(['orders', 't_orders']);

/** Rows per DELETE, INSERT and UPDATE statement. */
const CHUNK_ROWS = 500;

/**
 * Columns declared NOT NULL, read from the DDL: a single-row INSERT of a NULL there fails, where
 * a multi-row one (outside strict mode) stores the column's implicit default.
 */
const NOT_NULL_COLUMNS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries(legacyTableDefinitions).map(([table, ddl]) => [
    table,
    new Set([...ddl('t').matchAll(/^\s*(\w+)\s[^\n]*\bNOT NULL\b/gm)].map((match) => match[1] ?? '')),
  ]),
);

/**
 * The net effect of a batch's changes on one row (table and primary key), as the changes the
 * per-event statements would have made in turn.
 */
interface RowChange {
  table: LegacyTable;
  key: Values;
  /** The row existed before the batch's first change to it (that change updated or deleted it). */
  stored: boolean;
  /** The batch deleted the stored row. */
  deleted: boolean;
  /** The row exists after the batch's last change to it. */
  present: boolean;
  /** Owned values (with `order_time` where stamped) as last inserted or updated; null before that. */
  values: Values | null;
  /** The insert is of a row the old system made itself (`AdoptedRow`): it may be there already. */
  adopt: boolean;
}

/**
 * The old system's own row an event was made from (its captured change, named by the event's
 * `source`): the projection's insert of that row takes over the row the old system wrote, where an
 * insert of any other existing key still fails.
 */
export interface AdoptedRow {
  table: string;
  /** The primary key as the capture names it (`a:b` for a composite key). */
  key: string;
}

/**
 * Whether the projection's insert of `row` takes over a row the old system wrote: the captured or
 * carried-over row itself, and for a customer role (`UserRoles`) the user's `Users` row, which the
 * old system wrote first (a customer registered from its role has both), and the other way round.
 */
function adoptedBy(row: LegacyRow, adopted: AdoptedRow): boolean {
  const key = Object.values(row.key).map(String).join(':');
  if (row.table === adopted.table) return key === adopted.key;
  if (row.table === 'Users' && adopted.table === 'UserRoles') return adopted.key.split(':')[0] === key;
  // A customer carried over by its Users row brings its customer role along.
  return row.table === 'UserRoles' && adopted.table === 'Users' && key.split(':')[0] === adopted.key;
}

/** Per batch transaction: each changed row by table and key. */
const batches = new WeakMap<ProjectionTransaction, Map<string, RowChange>>();

const quoted = (name: string) => `\`${name.replaceAll('`', '``')}\``;
const identity = (row: LegacyRow) => `${row.table}|${JSON.stringify(row.key)}`;

function sameValues(a: Values, b: Values): boolean {
  for (const key of Object.keys(a)) if ((a[key] ?? null) !== (b[key] ?? null)) return false;
  for (const key of Object.keys(b)) if (!Object.hasOwn(a, key) && (b[key] ?? null) !== null) return false;
  return true;
}

function stamped(row: LegacyRow, orderTime: string): Values {
  return STAMPED_TABLES.has(row.table) ? { ...row.values, order_time: orderTime } : row.values;
}

/**
 * Records the difference between the rows a state gave before an event and after it: rows that are
 * gone are deleted, rows that changed are updated, new ones inserted, each by primary key; the
 * batch's writes go out at `flushRows`. An insert that meets an existing key fails loudly (an id
 * clash with the old system must stop the projection, never overwrite its row). Rows that did not
 * change are not touched, so their `order_time` keeps the time of the event that last changed them.
 */
export async function syncRows(
  tx: ProjectionTransaction,
  before: readonly LegacyRow[],
  after: readonly LegacyRow[],
  orderTime: string,
  adopted: AdoptedRow | null = null,
): Promise<void> {
  const previous = new Map(before.map((row) => [identity(row), row]));
  const next = new Map(after.map((row) => [identity(row), row]));
  if (previous.size !== before.length || next.size !== after.length) {
    throw new Error(`Two legacy rows share a key: ${[...before, ...after].map(identity).join(', ')}`);
  }
  let changes = changesOf(tx);
  // An insert of a row the batch holds would meet whatever the table holds by then: the batch's
  // writes so far go first, and the insert starts the next net effect (and fails if it must).
  const recordAfterFlush = async (
    id: string,
    row: LegacyRow,
    kind: ChangeKind,
    values: Values | null,
    adopt = false,
  ) => {
    await flushRows(tx);
    changes = changesOf(tx);
    record(changes, id, row, kind, values, adopt);
  };
  const adopts = (row: LegacyRow) => adopted !== null && adoptedBy(row, adopted);
  for (const [id, row] of previous) {
    if (!next.has(id) && !record(changes, id, row, 'delete', null)) await recordAfterFlush(id, row, 'delete', null);
  }
  for (const [id, row] of next) {
    const old = previous.get(id);
    const kind = !old ? 'insert' : sameValues(old.values, row.values) ? null : 'update';
    if (kind === null) continue;
    const values = stamped(row, orderTime);
    const adopt = kind === 'insert' && adopts(row);
    if (!record(changes, id, row, kind, values, adopt)) await recordAfterFlush(id, row, kind, values, adopt);
  }
}

type ChangeKind = 'insert' | 'update' | 'delete';

function changesOf(tx: ProjectionTransaction): Map<string, RowChange> {
  let changes = batches.get(tx);
  if (!changes) {
    changes = new Map();
    batches.set(tx, changes);
  }
  return changes;
}

/** Adds a change to the row's net effect; false when it cannot join it (an insert of a row the batch holds). */
function record(
  changes: Map<string, RowChange>,
  id: string,
  row: LegacyRow,
  kind: ChangeKind,
  values: Values | null,
  adopt = false,
): boolean {
  const change = changes.get(id);
  if (!change) {
    changes.set(id, {
      table: row.table,
      key: row.key,
      stored: kind !== 'insert',
      deleted: kind === 'delete',
      present: kind !== 'delete',
      values,
      adopt,
    });
  } else if (kind === 'insert') {
    if (change.present) return false;
    change.present = true;
    change.values = values;
    change.adopt = adopt;
  } else if (kind === 'update') {
    // Updating a row the batch deleted changes nothing, as the UPDATE would have found no row.
    if (change.present) change.values = values;
  } else if (change.present) {
    change.present = false;
    if (change.stored) change.deleted = true;
  }
  return true;
}

/** Sends one write statement: at once, or deferred to the batch's commit. */
type Write = (sql: string, params: unknown[]) => Promise<unknown>;

/**
 * Writes the batch's net changes, per table: deletes of stored rows, inserts (new rows, and rows
 * deleted and inserted again, whose columns the projection does not own start over as they did),
 * deletes of rows the batch inserted and deleted again (inserted first, so an id clash still fails
 * and the AUTO_INCREMENT counter moves past the id as before), then updates of the owned columns.
 * The legacy tables have no unique key besides the primary key, so this order cannot collide.
 */
export async function flushRows(tx: ProjectionTransaction, deferred = false): Promise<void> {
  // At the batch's end nothing reads after the flush: its statements can go out with the commit.
  const write: Write = deferred ? (sql, params) => tx.deferWrite(sql, params) : (sql, params) => tx.query(sql, params);
  const changes = batches.get(tx);
  if (!changes || changes.size === 0) return;
  batches.delete(tx);
  const byTable = new Map<LegacyTable, RowChange[]>();
  for (const change of changes.values()) {
    const rows = byTable.get(change.table);
    if (rows) rows.push(change);
    else byTable.set(change.table, [change]);
  }
  for (const [table, rows] of byTable) {
    const inserted = rows.filter(
      (row) => row.values !== null && (row.present ? !row.stored || row.deleted : !row.stored),
    );
    await deleteRows(
      tx,
      write,
      table,
      rows.filter((row) => row.stored && row.deleted),
    );
    await insertRows(tx, write, table, inserted, deferred);
    await deleteRows(
      tx,
      write,
      table,
      inserted.filter((row) => !row.present),
    );
    await updateRows(
      tx,
      write,
      table,
      rows.filter((row) => row.present && row.stored && !row.deleted && row.values !== null),
    );
  }
}

function chunks<T>(items: readonly T[], size = CHUNK_ROWS): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Rows grouped by the columns they write, in first-seen order. */
function bySignature<T>(rows: readonly T[], columnsOf: (row: T) => string[]): [string[], T[]][] {
  const groups = new Map<string, [string[], T[]]>();
  for (const row of rows) {
    const columns = columnsOf(row);
    const signature = columns.join('\u0000');
    const group = groups.get(signature);
    if (group) group[1].push(row);
    else groups.set(signature, [columns, [row]]);
  }
  return [...groups.values()];
}

async function deleteRows(
  tx: ProjectionTransaction,
  write: Write,
  table: LegacyTable,
  rows: readonly RowChange[],
): Promise<void> {
  for (const [keyColumns, group] of bySignature(rows, (row) => Object.keys(row.key))) {
    for (const chunk of chunks(group)) {
      const condition =
        keyColumns.length === 1
          ? `${quoted(keyColumns[0] ?? '')} IN (${chunk.map(() => '?').join(', ')})`
          : chunk.map(() => `(${keyColumns.map((column) => `${quoted(column)} = ?`).join(' AND ')})`).join(' OR ');
      await write(
        `DELETE FROM ${tx.table(table)} WHERE ${condition}`,
        chunk.flatMap((row) => keyColumns.map((column) => row.key[column])),
      );
    }
  }
}

async function insertRows(
  tx: ProjectionTransaction,
  write: Write,
  table: LegacyTable,
  rows: readonly RowChange[],
  deferred: boolean,
): Promise<void> {
  const notNull = NOT_NULL_COLUMNS.get(table) ?? new Set<string>();
  // The old system's own rows, one statement each (they are rare): the row may be there already.
  for (const row of rows.filter((change) => change.adopt)) {
    const values = { ...row.key, ...row.values };
    const columns = Object.keys(values);
    const owned = Object.keys(row.values ?? {});
    // A row of key columns only (a customer's `UserRoles`) has nothing to replace: a no-op assignment.
    const assignments =
      owned.length > 0
        ? owned.map((column) => `${quoted(column)} = VALUES(${quoted(column)})`)
        : Object.keys(row.key)
            .slice(0, 1)
            .map((column) => `${quoted(column)} = ${quoted(column)}`);
    await write(
      `INSERT INTO ${tx.table(table)} (${columns.map(quoted).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`,
      Object.values(values),
    );
  }
  const full = rows.filter((change) => !change.adopt).map((row) => ({ ...row.key, ...row.values }));
  // A NULL in a NOT NULL column goes in alone, so that it fails as it always did.
  const lonely = (values: Values) =>
    Object.entries(values).some(([column, value]) => (value === null || value === undefined) && notNull.has(column));
  const alone = full.filter(lonely);
  const together = full.filter((values) => !lonely(values));
  for (const [columns, group] of bySignature(together, (values) => Object.keys(values))) {
    await tx.insertRows(
      table,
      columns,
      group.map((values) => columns.map((column) => values[column])),
      { deferred },
    );
  }
  for (const values of alone) {
    const columns = Object.keys(values);
    await write(
      `INSERT INTO ${tx.table(table)} (${columns.map(quoted).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`,
      Object.values(values),
    );
  }
}

/**
 * How a parameter is typed as a literal: the derived table of an UPDATE aggregates each column's
 * type over its rows, which stores every value exactly only when they are all text or all plain
 * decimals (integers included); a number printed with an exponent is a DOUBLE literal.
 */
function literalKind(value: unknown): 'null' | 'text' | 'decimal' | 'double' | 'other' {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number' && Number.isFinite(value)) return /e/i.test(String(value)) ? 'double' : 'decimal';
  return 'other';
}

/**
 * Updates the owned columns of stored rows as multi-row statements: the table joined on its key
 * with a derived table of the new values, which assigns each value as the single-row UPDATE's
 * literal would (NULLs in any row included). Rows with a value the derived table could type
 * differently are updated alone, as they always were.
 */
async function updateRows(
  tx: ProjectionTransaction,
  write: Write,
  table: LegacyTable,
  rows: readonly RowChange[],
): Promise<void> {
  const groups = bySignature(rows, (row) => [...Object.keys(row.key), ...Object.keys(row.values ?? {})]);
  for (const [columns, group] of groups) {
    const keyColumns = Object.keys(group[0]?.key ?? {});
    const valueColumns = columns.slice(keyColumns.length);
    if (valueColumns.length === 0) continue;
    const cells = (row: RowChange) =>
      columns.map((column, index) => (index < keyColumns.length ? row.key : (row.values ?? {}))[column]);
    const kinds: (string | undefined)[] = columns.map(() => undefined);
    const together: RowChange[] = [];
    const alone: RowChange[] = [];
    for (const row of group) {
      const rowKinds = cells(row).map(literalKind);
      const fits = rowKinds.every(
        (kind, index) => kind === 'null' || (kind !== 'other' && (kinds[index] ?? kind) === kind),
      );
      if (!fits) {
        alone.push(row);
        continue;
      }
      rowKinds.forEach((kind, index) => {
        if (kind !== 'null') kinds[index] = kind;
      });
      together.push(row);
    }
    for (const chunk of chunks(together)) {
      const first = `SELECT ${columns.map((column) => `? AS ${quoted(column)}`).join(', ')}`;
      const others = ` UNION ALL SELECT ${columns.map(() => '?').join(', ')}`.repeat(chunk.length - 1);
      await write(
        `UPDATE ${tx.table(table)} AS target JOIN (${first}${others}) AS changed ON ${keyColumns
          .map((column) => `target.${quoted(column)} = changed.${quoted(column)}`)
          .join(' AND ')} SET ${valueColumns
          .map((column) => `target.${quoted(column)} = changed.${quoted(column)}`)
          .join(', ')}`,
        chunk.flatMap(cells),
      );
    }
    for (const row of alone) {
      const values = row.values ?? {};
      await write(
        `UPDATE ${tx.table(table)} SET ${valueColumns.map((column) => `${quoted(column)} = ?`).join(', ')} WHERE ${keyColumns
          .map((column) => `${quoted(column)} = ?`)
          .join(' AND ')}`,
        [...valueColumns.map((column) => values[column]), ...keyColumns.map((column) => row.key[column])],
      );
    }
  }
}
