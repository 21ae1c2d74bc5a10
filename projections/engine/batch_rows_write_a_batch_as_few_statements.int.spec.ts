import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { closeScratchDatabase, openScratchDatabase } from '../../test/contract/mysql-test-database';
import { projectionTransactionOn } from './batch-transaction';
import { BatchRows, uniqueKeysOf } from './batch-rows';
import type { ProjectionTransaction } from './projection';

describe('BatchRows: the rows a batch changes, written at its end', () => {
  const database = `batch_rows_${randomBytes(4).toString('hex')}`;
  let connection: Connection;
  let statements: string[];
  let tx: ProjectionTransaction;
  const rows = new BatchRows([
    { table: 'accounts', key: ['id'] },
    { table: 'grants', key: ['endpoint_id', 'tracer_id'] },
  ]);

  const tableRows = async (sql: string) => ((await connection.query(sql)) as unknown as [Record<string, unknown>[]])[0];

  beforeAll(async () => {
    connection = await openScratchDatabase(database, { dateStrings: true, supportBigNumbers: true });
  });

  afterAll(async () => {
    await closeScratchDatabase(connection, database);
  });

  beforeEach(async () => {
    await connection.query('DROP TABLE IF EXISTS accounts, grants');
    await connection.query(`
      CREATE TABLE accounts (
        id VARCHAR(40) COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
        name VARCHAR(40) NOT NULL,
        half_life DOUBLE NOT NULL,
        changed_at DATETIME(3) NOT NULL,
        note VARCHAR(40) NOT NULL DEFAULT 'none',
        UNIQUE KEY account_name (name)
      )`);
    await connection.query(`
      CREATE TABLE grants (
        endpoint_id VARCHAR(40) NOT NULL, tracer_id VARCHAR(40) NOT NULL, max_injections INT NULL,
        PRIMARY KEY (endpoint_id, tracer_id)
      )`);
    statements = [];
    const counting = {
      query: ((options: unknown, params?: unknown) => {
        statements.push(typeof options === 'string' ? options : (options as { sql: string }).sql);
        return connection.query(options as string, params as unknown[]);
      }) as Connection['query'],
    };
    tx = projectionTransactionOn(
      counting,
      'test',
      new Map([
        ['accounts', '`accounts`'],
        ['grants', '`grants`'],
      ]),
      'live',
    );
    await connection.query('START TRANSACTION');
  });

  afterEach(async () => {
    await connection.query('ROLLBACK');
  });

  it('given stored rows, when a batch reads, changes and adds rows, then the flush writes them with one DELETE and one INSERT', async () => {
    await connection.query(
      `INSERT INTO accounts VALUES ('a', 'Alpha', 0.1 + 0.2, '2026-01-01 07:00:00.123', 'kept'),
                                   ('b', 'Beta', 122.24, '2026-01-02 07:00:00.000', 'kept')`,
    );
    statements = [];
    await rows.preload(tx, 'accounts', [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    const alpha = await rows.read(tx, 'accounts', { id: 'a' });
    const missing = await rows.read(tx, 'accounts', { id: 'c' });
    expect(alpha).toEqual({
      id: 'a',
      name: 'Alpha',
      half_life: expect.any(String),
      changed_at: '2026-01-01 07:00:00.123',
      note: 'kept',
    });
    expect(missing).toBeNull();
    rows.write(tx, 'accounts', { ...alpha, name: 'Alpha 2' });
    rows.write(tx, 'accounts', { id: 'c', name: 'Gamma', half_life: 6586.2, changed_at: '2026-01-03 07:00:00.000' });
    // A later event of the same batch sees the batch's version, not the table's.
    expect(await rows.read(tx, 'accounts', { id: 'a' })).toMatchObject({ name: 'Alpha 2' });

    await rows.flush(tx);

    expect(statements.map((sql) => sql.trim().split(/\s/)[0])).toEqual(['SELECT', 'DELETE', 'INSERT']);
    expect(await tableRows('SELECT id, name, half_life = 0.1 + 0.2 AS exact, note FROM accounts ORDER BY id')).toEqual([
      { id: 'a', name: 'Alpha 2', exact: 1, note: 'kept' },
      { id: 'b', name: 'Beta', exact: 0, note: 'kept' },
      // A column the row never set takes its default, as a single-row insert would.
      { id: 'c', name: 'Gamma', exact: 0, note: 'none' },
    ]);
  });

  it('given two rows that swap their unique names in one batch, when flushed, then both end renamed', async () => {
    await connection.query(
      `INSERT INTO accounts (id, name, half_life, changed_at) VALUES ('a', 'X', 1, NOW()), ('b', 'Y', 1, NOW())`,
    );
    const a = await rows.read(tx, 'accounts', { id: 'a' });
    const b = await rows.read(tx, 'accounts', { id: 'b' });
    rows.write(tx, 'accounts', { ...a, name: 'Y' });
    rows.write(tx, 'accounts', { ...b, name: 'X' });
    await rows.flush(tx);
    expect(await tableRows('SELECT id, name FROM accounts ORDER BY id')).toEqual([
      { id: 'a', name: 'Y' },
      { id: 'b', name: 'X' },
    ]);
  });

  it('given a stored row, when a new row takes its unique name, then the flush fails instead of overwriting it', async () => {
    await connection.query(`INSERT INTO accounts (id, name, half_life, changed_at) VALUES ('a', 'X', 1, NOW())`);
    await rows.read(tx, 'accounts', { id: 'b' });
    rows.write(tx, 'accounts', { id: 'b', name: 'X', half_life: 1, changed_at: '2026-01-01 00:00:00' });
    await expect(rows.flush(tx)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });

  it('given composite keys, when rows are read, changed and flushed twice, then the second flush writes only what changed since', async () => {
    await connection.query(`INSERT INTO grants VALUES ('e1', 't1', 3), ('e1', 't2', NULL)`);
    await rows.preload(tx, 'grants', [
      { endpoint_id: 'e1', tracer_id: 't1' },
      { endpoint_id: 'e1', tracer_id: 't2' },
    ]);
    const grant = await rows.read(tx, 'grants', { endpoint_id: 'e1', tracer_id: 't2' });
    rows.write(tx, 'grants', { ...grant, max_injections: 5 });
    await rows.flush(tx);
    statements = [];
    rows.write(tx, 'grants', { endpoint_id: 'e2', tracer_id: 't1', max_injections: null });
    await rows.flush(tx);
    await rows.flush(tx);

    expect(statements.map((sql) => sql.trim().split(/\s/)[0])).toEqual(['INSERT']);
    expect(await tableRows('SELECT * FROM grants ORDER BY endpoint_id, tracer_id')).toEqual([
      { endpoint_id: 'e1', tracer_id: 't1', max_injections: 3 },
      { endpoint_id: 'e1', tracer_id: 't2', max_injections: 5 },
      { endpoint_id: 'e2', tracer_id: 't1', max_injections: null },
    ]);
  });

  it('given a table whose only unique key is its primary key, when stored and new rows change, then stored ones are upserted in place and new ones inserted', async () => {
    const upserting = new BatchRows([{ table: 'grants', key: ['endpoint_id', 'tracer_id'], uniqueKeys: [] }]);
    await connection.query(`INSERT INTO grants VALUES ('e1', 't1', 3), ('e1', 't2', 4)`);
    statements = [];
    const first = await upserting.read(tx, 'grants', { endpoint_id: 'e1', tracer_id: 't1' });
    const second = await upserting.read(tx, 'grants', { endpoint_id: 'e1', tracer_id: 't2' });
    upserting.write(tx, 'grants', { ...first, max_injections: null });
    upserting.write(tx, 'grants', { ...second, max_injections: 7 });
    upserting.write(tx, 'grants', { endpoint_id: 'e3', tracer_id: 't1', max_injections: 1 });
    await upserting.flush(tx);

    const writes = statements.filter((sql) => !sql.trim().startsWith('SELECT'));
    expect(writes.map((sql) => sql.trim().split(/\s/)[0])).toEqual(['INSERT', 'INSERT']);
    expect(writes[0]).toMatch(/ON DUPLICATE KEY UPDATE `max_injections` = VALUES\(`max_injections`\)$/);
    expect(writes[1]).not.toMatch(/ON DUPLICATE KEY/);
    expect(await tableRows('SELECT * FROM grants ORDER BY endpoint_id, tracer_id')).toEqual([
      { endpoint_id: 'e1', tracer_id: 't1', max_injections: null },
      { endpoint_id: 'e1', tracer_id: 't2', max_injections: 7 },
      { endpoint_id: 'e3', tracer_id: 't1', max_injections: 1 },
    ]);
  });

  it('given a table whose only unique key is its primary key, when a row never read exists already, then the flush still fails', async () => {
    const upserting = new BatchRows([{ table: 'grants', key: ['endpoint_id', 'tracer_id'], uniqueKeys: [] }]);
    await connection.query(`INSERT INTO grants VALUES ('e1', 't1', 3)`);
    upserting.write(tx, 'grants', { endpoint_id: 'e1', tracer_id: 't1', max_injections: 9 });
    await expect(upserting.flush(tx)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });

  it('given declared unique keys, when one stored row keeps its unique name and another changes it, then the first is upserted in place and the second deleted and inserted', async () => {
    const declared = new BatchRows([{ table: 'accounts', key: ['id'], uniqueKeys: [['name']] }]);
    await connection.query(
      `INSERT INTO accounts (id, name, half_life, changed_at) VALUES ('a', 'X', 1, NOW()), ('b', 'Y', 1, NOW())`,
    );
    const a = await declared.read(tx, 'accounts', { id: 'a' });
    const b = await declared.read(tx, 'accounts', { id: 'b' });
    statements = [];
    declared.write(tx, 'accounts', { ...a, half_life: 2 });
    declared.write(tx, 'accounts', { ...b, name: 'Z' });
    await declared.flush(tx);

    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/^DELETE FROM `accounts` WHERE `id` IN \(\?\)$/);
    expect(statements[1]).toMatch(/^INSERT INTO `accounts` [\s\S]* ON DUPLICATE KEY UPDATE/);
    expect(statements[2]).not.toMatch(/ON DUPLICATE KEY/);
    expect(await tableRows('SELECT id, name, half_life FROM accounts ORDER BY id')).toEqual([
      { id: 'a', name: 'X', half_life: 2 },
      { id: 'b', name: 'Z', half_life: 1 },
    ]);
  });

  it('reads the unique keys of a table from its DDL, the primary key left out', () => {
    expect(
      uniqueKeysOf(
        (table) => `CREATE TABLE ${table} (
          id INT NOT NULL, a INT, b INT, c INT,
          PRIMARY KEY (id),
          UNIQUE KEY one (a),
          UNIQUE KEY two (b, \`c\`),
          KEY plain (c)
        )`,
      ),
    ).toEqual([['a'], ['b', 'c']]);
    expect(uniqueKeysOf((table) => `CREATE TABLE ${table} (id INT PRIMARY KEY, a INT, KEY k (a))`)).toEqual([]);
  });

  it('given a table it was not told about, when asked for a row, then it refuses', async () => {
    await expect(rows.read(tx, 'orders', { id: 'x' })).rejects.toThrow(/orders is not one of its tables/);
  });
});
