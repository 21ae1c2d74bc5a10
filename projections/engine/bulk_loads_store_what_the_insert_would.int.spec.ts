import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { closeScratchDatabase, openScratchDatabase } from '../../test/contract/mysql-test-database';
import { insertStatementOf, loadRows, MIN_LOAD_ROWS, type RowLoad } from './row-load';

const COLUMNS = ['id', 'name', 'note', 'amount', 'big', 'flag', 'doc'];
const TABLE_DDL = (table: string) => `
  CREATE TABLE ${table} (
    id INT UNSIGNED NOT NULL,
    name VARCHAR(8) NOT NULL,
    note TEXT NULL,
    amount DOUBLE NULL,
    big BIGINT UNSIGNED NULL,
    flag BOOLEAN NULL,
    doc JSON NULL,
    PRIMARY KEY (id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

/** Values a bulk load must carry exactly: separators, escapes, the NULL marker as text, unicode. */
const AWKWARD = ['tab\there', 'line\nbreak', 'cr\rhere', 'back\\slash', 'nul\0byte', '\\N', '', 'ÆØÅ 🧪', "it's"];

function rowsFrom(first: number, count: number): unknown[][] {
  return Array.from({ length: count }, (_, index) => {
    const id = first + index;
    return [
      id,
      `n${id}`,
      index % 10 === 9 ? null : AWKWARD[index % AWKWARD.length],
      index % 3 === 0 ? 0.1 + 0.2 : -id / 7,
      index % 4 === 0 ? 18446744073709551615n : BigInt(id),
      index % 2 === 0,
      index % 5 === 0 ? null : JSON.stringify({ id, text: AWKWARD[index % AWKWARD.length] }),
    ];
  });
}

describe('bulk loads: rows stored as the INSERT would store them, or the INSERT instead', () => {
  const database = `engine_load_${randomBytes(4).toString('hex')}`;
  let connection: Connection;
  let verbs: string[];
  /** The connection, noting each statement's first word. */
  let recording: Pick<Connection, 'query'>;

  const contents = async (table: string) => {
    const [rows] = await connection.query({ sql: `SELECT * FROM ${table} ORDER BY id`, typeCast: (f) => f.string() });
    return rows;
  };

  beforeAll(async () => {
    connection = await openScratchDatabase(database, { supportBigNumbers: true, bigNumberStrings: true });
  });

  afterAll(async () => {
    await closeScratchDatabase(connection, database);
  });

  beforeEach(async () => {
    for (const table of ['loaded', 'inserted']) {
      await connection.query(`DROP TABLE IF EXISTS ${table}`);
      await connection.query(TABLE_DDL(table));
    }
    await connection.query("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'");
    verbs = [];
    recording = {
      query: ((options: unknown, params?: unknown) => {
        const sql = typeof options === 'string' ? options : (options as { sql: string }).sql;
        verbs.push(sql.trim().split(/\s/)[0] ?? '');
        return connection.query(options as string, params as unknown[]);
      }) as Connection['query'],
    };
  });

  afterEach(async () => {
    await connection.query('ROLLBACK');
  });

  it('given awkward values in bulk, when loaded in a transaction, then every value reads back as the INSERT stores it', async () => {
    const rows = rowsFrom(1, MIN_LOAD_ROWS + 20);
    const insert = insertStatementOf({ table: 'inserted', columns: COLUMNS, rows });
    await connection.query(insert.sql, insert.params);

    await connection.query('START TRANSACTION');
    await loadRows(recording, { table: 'loaded', columns: COLUMNS, rows });
    await connection.query('COMMIT');

    expect(verbs).toEqual(['SAVEPOINT', 'LOAD']);
    expect(await contents('loaded')).toEqual(await contents('inserted'));
  });

  it('given a row whose key is stored already, when loaded, then the load is taken back and the INSERT fails with its own error', async () => {
    await connection.query(`INSERT INTO loaded (id, name) VALUES (50, 'stored')`);
    await connection.query('START TRANSACTION');

    await expect(
      loadRows(recording, { table: 'loaded', columns: COLUMNS, rows: rowsFrom(1, MIN_LOAD_ROWS) }),
    ).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });

    expect(verbs).toEqual(['SAVEPOINT', 'LOAD', 'ROLLBACK', 'INSERT']);
    expect(await contents('loaded')).toEqual([expect.objectContaining({ id: '50', name: 'stored' })]);
  });

  it('given a value too long for its column in a strict sql_mode, then the INSERT fails as it always did', async () => {
    const rows = rowsFrom(1, MIN_LOAD_ROWS);
    rows[7][1] = 'far too long for eight';
    await connection.query('START TRANSACTION');

    await expect(loadRows(recording, { table: 'loaded', columns: COLUMNS, rows })).rejects.toMatchObject({
      code: 'ER_DATA_TOO_LONG',
    });
    expect(await contents('loaded')).toEqual([]);
  });

  it('given the old system lenient sql_mode, when a value is too long, then it is cut as the INSERT cuts it, in one load', async () => {
    await connection.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
    const rows = rowsFrom(1, MIN_LOAD_ROWS);
    rows[7][1] = 'far too long for eight';
    const insert = insertStatementOf({ table: 'inserted', columns: COLUMNS, rows });
    await connection.query(insert.sql, insert.params);
    await connection.query('START TRANSACTION');

    await loadRows(recording, { table: 'loaded', columns: COLUMNS, rows }, { warningsAllowed: true });

    expect(verbs).toEqual(['SAVEPOINT', 'LOAD']);
    expect(await contents('loaded')).toEqual(await contents('inserted'));
  });

  it('given few rows, no transaction, or a value without a text form, then the rows go as one INSERT', async () => {
    await loadRows(recording, { table: 'loaded', columns: COLUMNS, rows: rowsFrom(1, MIN_LOAD_ROWS - 1) });
    expect(verbs).toEqual(['INSERT']);

    verbs = [];
    await loadRows(recording, { table: 'loaded', columns: COLUMNS, rows: rowsFrom(1_000, MIN_LOAD_ROWS) });
    expect(verbs).toEqual(['SAVEPOINT', 'INSERT']);

    verbs = [];
    await connection.query('START TRANSACTION');
    const dated: unknown[][] = rowsFrom(2_000, MIN_LOAD_ROWS);
    dated[3][2] = new Date('2026-12-07T10:00:00Z');
    await loadRows(recording, { table: 'loaded', columns: COLUMNS, rows: dated });
    expect(verbs).toEqual(['INSERT']);
    expect(await contents('loaded')).toHaveLength(3 * MIN_LOAD_ROWS - 1);
  });

  it('given a server that refuses local loads, then the rows go as the INSERT, and its connections stop trying', async () => {
    const refuseLoads = ((options: unknown, params?: unknown) => {
      const sql = typeof options === 'string' ? options : (options as { sql: string }).sql;
      verbs.push(sql.trim().split(/\s/)[0] ?? '');
      if (sql.startsWith('LOAD')) {
        const refusal = Object.assign(new Error('The used command is not allowed'), { code: 'ER_NOT_ALLOWED_COMMAND' });
        return Promise.reject(refusal);
      }
      return connection.query(options as string, params as unknown[]);
    }) as Connection['query'];
    // A pool's connections share their settings: the refusal is remembered for all of them.
    const settings = {};
    const first = { query: refuseLoads, connection: { config: settings } };
    const second = { query: refuseLoads, connection: { config: settings } };
    const load = (first: number): RowLoad => ({
      table: 'loaded',
      columns: COLUMNS,
      rows: rowsFrom(first, MIN_LOAD_ROWS),
    });
    await connection.query('START TRANSACTION');

    await loadRows(first, load(1));
    await loadRows(second, load(1_000));

    expect(verbs).toEqual(['SAVEPOINT', 'LOAD', 'INSERT', 'INSERT']);
    expect(await contents('loaded')).toHaveLength(2 * MIN_LOAD_ROWS);
  });
});
