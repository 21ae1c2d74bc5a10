import { Readable } from 'node:stream';
import type { PoolConnection, ResultSetHeader } from 'mysql2/promise';

/** Rows for one table, a value per column in every row: what a bulk insert sends. */
export interface RowLoad {
  /** Quoted, database-qualified table name (`ProjectionTransaction.table`). */
  table: string;
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
}

/** The server or the session does not take `LOAD DATA LOCAL` (MySQL 8's default `local_infile=OFF`). */
const REFUSED_CODES = new Set(['ER_NOT_ALLOWED_COMMAND', 'ER_CLIENT_LOCAL_FILES_DISABLED']);

/** Connection settings (shared by a pool's connections) whose server refused a load: INSERT from then on. */
const refusedBy = new WeakSet<object>();

const quoted = (column: string) => `\`${column.replace(/`/g, '``')}\``;

/** What `LOAD DATA`'s default escaping needs escaped in a field: backslash, tab, newline, CR, NUL. */
const ESCAPED = /[\\\t\n\r\0]/g;
const NEEDS_ESCAPING = /[\\\t\n\r\0]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/**
 * A value as a `LOAD DATA` field, or undefined when it has no exact text form here (a Date, a
 * Buffer, an object, a non-finite number): the rows then go as an INSERT, which escapes them.
 */
function fieldOf(value: unknown): string | undefined {
  // An INSERT's parameter sends undefined as NULL too.
  if (value === null || value === undefined) return '\\N';
  switch (typeof value) {
    case 'string':
      // Most fields hold nothing to escape: a test is much cheaper than a replace with a callback.
      return NEEDS_ESCAPING.test(value) ? value.replace(ESCAPED, (character) => ESCAPES[character]) : value;
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? '1' : '0';
    default:
      return undefined;
  }
}

/** The rows as a tab-separated file in `LOAD DATA`'s default format, or null when one value has no text form. */
export function loadFileOf(load: RowLoad): Buffer | null {
  // One string built by appending (V8 keeps it as a rope until it is encoded once).
  let text = '';
  for (const row of load.rows) {
    if (row.length !== load.columns.length) return null;
    for (let column = 0; column < row.length; column++) {
      const field = fieldOf(row[column]);
      if (field === undefined) return null;
      text += column === 0 ? field : `\t${field}`;
    }
    text += '\n';
  }
  return Buffer.from(text, 'utf8');
}

/**
 * The rows as one INSERT when they are too few to be worth a load (the caller may send it with
 * other statements in one round trip); null when they go as a load (or are none).
 */
export function smallInsertOf(load: RowLoad): { sql: string; params: unknown[] } | null {
  return load.rows.length > 0 && load.rows.length < MIN_LOAD_ROWS ? insertStatementOf(load) : null;
}

/** The same rows as one multi-row INSERT, parameterised. */
export function insertStatementOf(load: RowLoad): { sql: string; params: unknown[] } {
  const tuple = `(${load.columns.map(() => '?').join(', ')})`;
  const params: unknown[] = [];
  for (const row of load.rows) for (const value of row) params.push(value);
  return {
    sql: `INSERT INTO ${load.table} (${load.columns.map(quoted).join(', ')}) VALUES ${load.rows.map(() => tuple).join(', ')}`,
    params,
  };
}

function settings(connection: Pick<PoolConnection, 'query'>): object {
  const core = (connection as unknown as { connection?: { config?: object } }).connection;
  return core?.config ?? connection;
}

export interface LoadOptions {
  /**
   * The session's sql_mode is not strict (the old system's): an INSERT would store what does not
   * fit with a warning, so the load may too. Rows it skips (a duplicate key) still undo it.
   */
  warningsAllowed?: boolean;
}

/** Fewer rows go as an INSERT: a load costs a round trip more, which only pays off in bulk. */
export const MIN_LOAD_ROWS = 100;
/** Rows per INSERT when the rows go as INSERTs. */
const INSERT_CHUNK_ROWS = 500;

const SAVEPOINT = 'tracershop_row_load';
/** The server's status flag for an open transaction (in every OK packet). */
const SERVER_STATUS_IN_TRANS = 0x0001;

/**
 * Inserts the rows, inside the caller's transaction. In bulk, with `LOAD DATA LOCAL INFILE` from
 * memory: the server parses tab-separated rows about twice as fast as the same rows in an INSERT's
 * text, which is most of a rebuild's time. A local load turns what fails an INSERT (a duplicate
 * key, a value that does not fit) into warnings and skipped rows; so when it stored fewer rows
 * than it was sent, or warned where the sql_mode is strict, it is rolled back to a savepoint and
 * the rows go as the INSERT, which fails (or not) exactly as it always did. Where the server does
 * not take local loads, or a value has no exact text form, the rows go as the INSERT at once. The
 * server names the file it wants; it gets these rows whatever it names, never a file of this machine.
 */
export async function loadRows(
  connection: Pick<PoolConnection, 'query'>,
  load: RowLoad,
  options: LoadOptions = {},
): Promise<void> {
  if (load.rows.length === 0) return;
  const file = load.rows.length < MIN_LOAD_ROWS || refusedBy.has(settings(connection)) ? null : loadFileOf(load);
  if (file !== null && (await loaded(connection, load, file, options))) return;
  // As INSERTs, the rows go in statements of a bounded size, in order: the first that fails stops them.
  for (let start = 0; start < load.rows.length; start += INSERT_CHUNK_ROWS) {
    const insert = insertStatementOf({ ...load, rows: load.rows.slice(start, start + INSERT_CHUNK_ROWS) });
    await connection.query(insert.sql, insert.params);
  }
}

/** True when the load stored every row as the INSERT would; false when the INSERT must go instead. */
async function loaded(
  connection: Pick<PoolConnection, 'query'>,
  load: RowLoad,
  file: Buffer,
  options: LoadOptions,
): Promise<boolean> {
  const sql =
    `LOAD DATA LOCAL INFILE 'rows' INTO TABLE ${load.table} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
    `(${load.columns.map(quoted).join(', ')})`;
  // Only a transaction can take back a load: outside one (autocommit), the rows go as the INSERT.
  const [savepoint] = await connection.query<ResultSetHeader>(`SAVEPOINT ${SAVEPOINT}`);
  if ((savepoint.serverStatus & SERVER_STATUS_IN_TRANS) === 0) return false;
  let result: ResultSetHeader;
  try {
    [result] = await connection.query<ResultSetHeader>({ sql, infileStreamFactory: () => Readable.from([file]) });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !REFUSED_CODES.has(code)) throw error;
    refusedBy.add(settings(connection));
    return false;
  }
  const stored = result.affectedRows === load.rows.length;
  if (stored && (result.warningStatus === 0 || options.warningsAllowed)) return true;
  await connection.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
  return false;
}
