import { randomBytes } from 'node:crypto';
import type { Connection } from 'mysql2/promise';
import { loadRows, type ProjectionTransaction } from '@tracershop/projections/engine';
import { closeScratchDatabase, openScratchDatabase } from '../../test/contract/mysql-test-database';
import { flushRows, syncRows, type LegacyRow } from './legacy-rows';
import { legacyColumns, legacyTableDefinitions, type LegacyContractTable } from './legacy-tables';
import { openLegacyTestBed, streamOf } from './test-support/legacy-test-bed';
import { reserved } from './test-support/legacy-fixtures';

type Values = Record<string, unknown>;

/** An `orders` row as the delivery day derives it (owned columns; `order_time` is the stamp). */
function ordersRow(OID: number, changes: Values = {}): LegacyRow {
  return {
    table: 'orders',
    key: { OID },
    values: {
      BID: 42,
      amount: 1500,
      deliver_datetime: '2026-03-02 08:00:00',
      status: 1,
      batchnr: '',
      run: 1,
      COID: -1,
      total_amount: 1500,
      frigivet_amount: null,
      frigivet_datetime: '0000-01-01 00:00:00',
      amount_o: 1650,
      total_amount_o: 1650,
      frigivet_af: null,
      tracer: 6,
      volume: null,
      comment: null,
      userName: 'shop.1',
      ...changes,
    },
  };
}

const usersRow = (Id: number, Realname: string, changes: Values = {}): LegacyRow => ({
  table: 'Users',
  key: { Id },
  values: { Username: `user${Id}`, Realname, EMail: null, overhead: 10, kundenr: 2, tlf: 38680000, ...changes },
});

const closedDate = (BDID: number, ddate: string): LegacyRow => ({
  table: 'blockDeliverDate',
  key: { BDID },
  values: { ddate },
});

const valRow = (ID: number, changes: Values = {}): LegacyRow => ({
  table: 'VAL',
  key: { ID },
  values: {
    customer: '2',
    charge: 'FDG-260302-1',
    depotpos: 3,
    filldate: '2026-03-02',
    filltime: '07:12:40',
    volume: 5.2,
    gros: 21.4,
    tare: 16.1,
    net: 5.3,
    product: '18F',
    activity: 2500.4,
    ...changes,
  },
});

describe('legacy rows: a batch writes the net effect of its changes', () => {
  const database = `legacy_rows_${randomBytes(4).toString('hex')}`;
  const tables: LegacyContractTable[] = ['orders', 'Users', 'UserRoles', 'blockDeliverDate', 'VAL'];
  let connection: Connection;
  let statements: string[];
  let tx: ProjectionTransaction;

  const rows = async (sql: string, params: unknown[] = []) =>
    ((await connection.query(sql, params)) as unknown as [Values[]])[0];
  /** Every value as the server prints it, in column order. */
  const textRows = async (table: string, orderBy: string) =>
    (
      (await connection.query({
        sql: `SELECT * FROM ${table} ORDER BY ${orderBy}`,
        typeCast: (field) => field.string(),
      })) as unknown as [Values[]]
    )[0];
  const verbs = () => statements.map((sql) => sql.trim().split(/\s/)[0]);
  /** The projection's writes: one event's rows before and after, at its local time. */
  const event = (before: LegacyRow[], after: LegacyRow[], at: string) => syncRows(tx, before, after, at);

  beforeAll(async () => {
    connection = await openScratchDatabase(database, { charset: 'utf8mb4', dateStrings: true });
    // The old server's lenient mode, as the projection writes under it.
    await connection.query("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION'");
  });

  afterAll(async () => {
    await closeScratchDatabase(connection, database);
  });

  beforeEach(async () => {
    for (const table of tables) {
      for (const name of [table, `plain_${table}`]) {
        await connection.query(`DROP TABLE IF EXISTS \`${name}\``);
        await connection.query(legacyTableDefinitions[table](`\`${name}\``));
      }
    }
    statements = [];
    tx = {
      mode: 'live',
      startedEmpty: false,
      table: (name) => `\`${name}\``,
      async query<R>(sql: string, params: readonly unknown[] = []) {
        statements.push(sql);
        return (await connection.query(sql, params as unknown[]))[0] as R;
      },
      queryText: () => Promise.reject(new Error('not used')),
      async insertRows(table, columns, rows) {
        const recording = {
          query: ((options: unknown, params?: unknown) => {
            statements.push(typeof options === 'string' ? options : (options as { sql: string }).sql);
            return connection.query(options as string, params as unknown[]);
          }) as Connection['query'],
        };
        await loadRows(recording, { table: `\`${table}\``, columns, rows }, { warningsAllowed: true });
      },
      async deferWrite(sql: string, params: readonly unknown[] = []) {
        statements.push(sql);
        await connection.query(sql, params as unknown[]);
      },
    };
    await connection.query('START TRANSACTION');
  });

  afterEach(async () => {
    await connection.query('ROLLBACK');
  });

  it('given a stored order row, when one batch changes it three times, then one UPDATE writes the last values with the last stamp', async () => {
    await event([], [ordersRow(1002), ordersRow(1004)], '2026-02-27 09:00:00');
    await flushRows(tx);
    statements = [];

    await event([ordersRow(1002)], [ordersRow(1002, { status: 2 })], '2026-03-02 07:00:00');
    await event([ordersRow(1002, { status: 2 })], [ordersRow(1002, { status: 2, run: 2 })], '2026-03-02 07:10:00');
    await event(
      [ordersRow(1002, { status: 2, run: 2 })],
      [ordersRow(1002, { status: 3, run: 2, batchnr: 'FDG-1' })],
      '2026-03-02 07:20:00',
    );
    // An event that leaves the row as it was writes nothing, and moves no stamp.
    await event([ordersRow(1004)], [ordersRow(1004)], '2026-03-02 07:30:00');
    await flushRows(tx);

    expect(verbs()).toEqual(['UPDATE']);
    expect(await rows('SELECT OID, order_time, status, run, batchnr FROM orders ORDER BY OID')).toEqual([
      { OID: 1002, order_time: '2026-03-02 07:20:00', status: 3, run: 2, batchnr: 'FDG-1' },
      { OID: 1004, order_time: '2026-02-27 09:00:00', status: 1, run: 1, batchnr: '' },
    ]);
  });

  it("given a customer row with the old system's password, when a batch updates it, then the password stays; when one deletes and re-inserts it, then the row starts over", async () => {
    await event([], [usersRow(42, 'Herlev')], '2026-03-02 07:00:00');
    await flushRows(tx);
    await connection.query("UPDATE Users SET password = 'zope-secret' WHERE Id = 42");
    statements = [];

    await event([usersRow(42, 'Herlev')], [usersRow(42, 'Herlev Hospital')], '2026-03-02 07:05:00');
    await event(
      [usersRow(42, 'Herlev Hospital')],
      [usersRow(42, 'Herlev Hospital', { tlf: null })],
      '2026-03-02 07:06:00',
    );
    await flushRows(tx);
    expect(verbs()).toEqual(['UPDATE']);
    expect(await rows('SELECT Realname, tlf, password FROM Users')).toEqual([
      { Realname: 'Herlev Hospital', tlf: null, password: 'zope-secret' },
    ]);

    statements = [];
    await event([usersRow(42, 'Herlev Hospital', { tlf: null })], [], '2026-03-02 07:07:00');
    await event([], [usersRow(42, 'Herlev again')], '2026-03-02 07:08:00');
    await flushRows(tx);
    expect(verbs()).toEqual(['DELETE', 'INSERT']);
    expect(await rows('SELECT Id, Realname, password FROM Users')).toEqual([
      { Id: 42, Realname: 'Herlev again', password: null },
    ]);
  });

  it('given an old-system row, when a batch inserts a row with its id, then the flush fails and leaves the old row alone', async () => {
    await connection.query("INSERT INTO blockDeliverDate VALUES (60, '2026-12-24')");

    await event([], [closedDate(62, '2026-12-31')], '2026-03-02 07:00:00');
    await event([], [closedDate(60, '2027-01-01')], '2026-03-02 07:01:00');

    await expect(flushRows(tx)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(await rows('SELECT BDID, ddate FROM blockDeliverDate WHERE BDID = 60')).toEqual([
      { BDID: 60, ddate: '2026-12-24' },
    ]);
  });

  it('given a batch that inserts a row and deletes it again, then the insert still meets an old-system row, and otherwise moves the id counter as before', async () => {
    await event([], [closedDate(70, '2026-12-24')], '2026-03-02 07:00:00');
    await event([closedDate(70, '2026-12-24')], [], '2026-03-02 07:01:00');
    await flushRows(tx);
    expect(verbs()).toEqual(['INSERT', 'DELETE']);
    expect(await rows('SELECT * FROM blockDeliverDate')).toEqual([]);
    const [created] = await rows('SHOW CREATE TABLE blockDeliverDate');
    expect(String(created?.['Create Table'])).toContain('AUTO_INCREMENT=71');

    await connection.query("INSERT INTO blockDeliverDate VALUES (80, '2026-12-24')");
    await event([], [closedDate(80, '2026-12-31')], '2026-03-02 07:02:00');
    await event([closedDate(80, '2026-12-31')], [], '2026-03-02 07:03:00');
    await expect(flushRows(tx)).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
  });

  it('given a row with NULL in a NOT NULL column among others, when flushed, then its insert fails as a single-row insert does', async () => {
    await event([], [ordersRow(1002), ordersRow(1004, { tracer: null }), ordersRow(1006)], '2026-03-02 07:00:00');

    await expect(flushRows(tx)).rejects.toMatchObject({ code: 'ER_BAD_NULL_ERROR' });
  });

  it('given key-only rows with a composite key, when a batch revokes one and grants another, then it deletes and inserts them', async () => {
    const role = (Id_User: number, Id_Role: number): LegacyRow => ({
      table: 'UserRoles',
      key: { Id_User, Id_Role },
      values: {},
    });
    await event([], [role(17, 6), role(42, 4)], '2026-03-02 07:00:00');
    await flushRows(tx);
    statements = [];

    await event([role(17, 6)], [role(17, 1)], '2026-03-02 07:01:00');
    await event([role(17, 1)], [role(17, 1), role(17, 7)], '2026-03-02 07:02:00');
    await flushRows(tx);

    expect(verbs()).toEqual(['DELETE', 'INSERT']);
    expect(await rows('SELECT Id_User, Id_Role FROM UserRoles ORDER BY Id_User, Id_Role')).toEqual([
      { Id_User: 17, Id_Role: 1 },
      { Id_User: 17, Id_Role: 7 },
      { Id_User: 42, Id_Role: 4 },
    ]);
  });

  it('given awkward values, when a batch updates rows, then every column ends as single-row UPDATEs leave it', async () => {
    const stored: LegacyRow[] = [
      ...[1002, 1004, 1006, 1008, 1010].map((oid) => ordersRow(oid)),
      ...[5002, 5004, 5006].map((id) => valRow(id)),
      usersRow(15, 'Anne'),
      usersRow(17, 'Peter'),
    ];
    const updated: LegacyRow[] = [
      // NULLs in the first row of the derived table, then values of every kind below them.
      ordersRow(1002, { BID: null, amount: null, deliver_datetime: null, status: null, run: null, tracer: 6 }),
      ordersRow(1004, {
        amount: 1.5,
        volume: 2.675,
        run: 300,
        amount_o: -5,
        deliver_datetime: '2026-13-02 08:00:00',
        comment: 'Zażółć 😀',
        batchnr: 'a\'b\\c"d',
      }),
      ordersRow(1006, { amount: 2.5, volume: 12345.678, comment: 'x'.repeat(8005), userName: 'trailing  ' }),
      // An exponent (a DOUBLE literal: in a derived table with 2.5 it would make it DOUBLE, and
      // 2.5 would round to even) and a number where the others are text: each written alone.
      ordersRow(1008, { volume: 1e-7, amount: 1e-7 }),
      ordersRow(1010, { userName: 17 }),
      valRow(5002, { net: 5.305, filltime: '25:00:00', depotpos: 300, filldate: '0000-00-00' }),
      valRow(5004, { activity: 1e21, customer: '99' }),
      valRow(5006, { volume: null, tare: null, activity: 0.1 + 0.2 }),
      usersRow(15, 'A'.repeat(70), { Username: null, tlf: 99_999_999_999 }),
      usersRow(17, 'Peter Hansen', { overhead: 15.5 }),
    ];
    await event([], stored, '2026-03-02 07:00:00');
    await flushRows(tx);
    for (const row of stored) {
      const values = {
        ...row.key,
        ...row.values,
        ...(row.table === 'orders' ? { order_time: '2026-03-02 07:00:00' } : {}),
      };
      await connection.query(`INSERT INTO \`plain_${row.table}\` SET ?`, [values]);
    }
    statements = [];

    const sameRow = (a: LegacyRow, b: LegacyRow) =>
      a.table === b.table && JSON.stringify(a.key) === JSON.stringify(b.key);
    for (const row of updated) {
      const before = stored.filter((candidate) => sameRow(candidate, row));
      expect(before).toHaveLength(1);
      await event(before, [row], '2026-03-02 07:45:00');
    }
    await flushRows(tx);
    for (const row of updated) {
      const values = { ...row.values, ...(row.table === 'orders' ? { order_time: '2026-03-02 07:45:00' } : {}) };
      const [keyColumn, key] = Object.entries(row.key)[0] as [string, unknown];
      await connection.query(`UPDATE \`plain_${row.table}\` SET ? WHERE \`${keyColumn}\` = ?`, [values, key]);
    }

    for (const [table, key] of [
      ['orders', 'OID'],
      ['VAL', 'ID'],
      ['Users', 'Id'],
    ] as const) {
      const batched = await textRows(`\`${table}\``, key);
      expect(batched).toEqual(await textRows(`\`plain_${table}\``, key));
      expect(Object.keys(batched[0] ?? {})).toEqual(legacyColumns[table]);
    }
    // A multi-row UPDATE per table; the exponent and the odd number out alone.
    expect(statements.map((sql) => /^UPDATE `(\w+)`( AS target JOIN)?/.exec(sql)?.slice(1, 3).join(''))).toEqual([
      'orders AS target JOIN',
      'orders',
      'orders',
      'VAL AS target JOIN',
      'VAL',
      'Users AS target JOIN',
    ]);
    expect(await rows('SELECT OID, volume, amount FROM orders WHERE OID IN (1004, 1006, 1008) ORDER BY OID')).toEqual([
      { OID: 1004, volume: '2.68', amount: 2 },
      { OID: 1006, volume: '9999.99', amount: 3 },
      { OID: 1008, volume: '0.00', amount: 0 },
    ]);
  });
});

describe('legacy rows: a failing batch', () => {
  it('is reported at the event whose insert meets an old-system row, and keeps nothing of its batch', async () => {
    const bed = await openLegacyTestBed('legacy_clash');
    try {
      // Ids of Tracershop's reserved block: the old system's row at one of them is a clash, not a
      // row carried over
      await bed.given(reserved('blockDeliverDate', 60, 98), {
        type: 'DateClosed',
        data: { date: '2026-12-24', reason: 'Christmas', legacyId: 60 },
      });
      await bed.pool.query("INSERT INTO blockDeliverDate VALUES (62, '2026-12-25')");
      await bed.engine.stop();
      // Appended while the projection is stopped: it meets them as one batch.
      for (const [date, legacyId] of [
        ['2026-12-31', 64],
        ['2027-01-01', 62],
        ['2027-01-02', 66],
      ] as const) {
        const data = { date, reason: 'Closed', legacyId };
        await bed.appendEvents({
          streamId: streamOf({ type: 'DateClosed', data }),
          type: 'DateClosed',
          data,
          reason: 'Closed',
        });
      }
      const clashing = (await bed.store.readAll()).find(
        (event) => (event.data as { legacyId?: number }).legacyId === 62,
      );
      const failed = bed.reaches('failed');
      bed.engine.start();
      await failed;

      expect(clashing).toBeDefined();
      const [status] = await bed.engine.status();
      expect(status?.failure).toMatchObject({ eventId: clashing?.metadata.eventId, eventType: 'DateClosed' });
      expect(status?.failure?.message).toMatch(/Duplicate entry '62'/);
      expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([
        [60, '2026-12-24'],
        [62, '2026-12-25'],
      ]);
    } finally {
      await bed.close();
    }
  });
});
