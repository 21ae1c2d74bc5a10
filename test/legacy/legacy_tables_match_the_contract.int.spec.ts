import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import { migrateProjectionDatabase } from '@tracershop/projections/engine';
import {
  legacyColumns,
  legacyContractTables,
  legacyTableDefinitions,
  LEGACY_TRACER_TYPES,
} from '@tracershop/projections/legacy';
import { dropTestDatabase, MYSQL_TEST_CONNECTION } from '../contract/mysql-test-database';

/**
 * The legacy tables (shared/domain/legacy-tables.md) as the record migration creates them and as the
 * projection rebuilds them: the contract's columns in the contract's order, identical definitions,
 * and the reference data the old system expects.
 */

const databaseName = (purpose: string) => `tracershop_record_legacy_${purpose}_${randomBytes(4).toString('hex')}`;

const ROLES = [
  [1, 'Manager', '*'],
  [4, 'Kunde', '*'],
  [5, 'Transport', '*'],
  [6, 'Produktion', '*'],
  [7, 'Statistik', '*'],
];

describe('legacy tables', () => {
  const migrated = databaseName('migrated');
  const projected = databaseName('projected');
  let pool: Pool;

  const rows = async (sql: string, params: unknown[] = []) => {
    const [result] = await pool.query({ sql, rowsAsArray: true, values: params });
    return result as unknown[][];
  };
  const definition = async (database: string, table: string) => {
    const [[created]] = (await pool.query(`SHOW CREATE TABLE \`${database}\`.\`${table}\``)) as unknown as [
      Record<string, string>[],
    ];
    return String(created?.['Create Table']).replace(/ AUTO_INCREMENT=\d+/, '');
  };
  const columns = async (database: string, table: string) =>
    (
      await rows(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
        [database, table],
      )
    ).map(([name]) => name);

  const insertOrderRoutine = (database: string) =>
    rows(
      `SELECT ROUTINE_DEFINITION, SQL_MODE FROM information_schema.routines
       WHERE routine_schema = ? AND routine_name = 'InsertOrder' AND routine_type = 'PROCEDURE'`,
      [database],
    );

  beforeAll(async () => {
    pool = createPool({ ...MYSQL_TEST_CONNECTION, dateStrings: true, connectionLimit: 2, multipleStatements: false });
    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', migrated);
    await pool.query(`CREATE DATABASE \`${projected}\``);
    for (const [table, ddl] of Object.entries(legacyTableDefinitions)) {
      await pool.query(ddl(`\`${projected}\`.\`${table}\``));
    }
  });

  afterAll(async () => {
    await pool.end();
    await dropTestDatabase(migrated);
    await dropTestDatabase(projected);
  });

  it.each(legacyContractTables)('%s has the contract columns in the contract order', async (table) => {
    expect(await columns(migrated, table)).toEqual(legacyColumns[table]);
    expect(await columns(projected, table)).toEqual(legacyColumns[table]);
  });

  it('spells the vial depot position depotpos and keeps VAL at 12 columns', async () => {
    expect(await columns(migrated, 'VAL')).toContain('depotpos');
    expect(legacyColumns.VAL).toHaveLength(12);
    expect(legacyColumns.orders).toHaveLength(23);
    expect(legacyColumns.t_orders).toHaveLength(19);
  });

  it.each(legacyContractTables)('%s: the migration and the projection create the same definition', async (table) => {
    expect(await definition(projected, table)).toEqual(await definition(migrated, table));
    expect(await definition(migrated, table)).toMatch(/ENGINE=InnoDB DEFAULT CHARSET=latin1/);
  });

  it('creates Roles with the Zope roles and tracer_types with its two rows', async () => {
    expect(await columns(migrated, 'Roles')).toEqual(['Id', 'Rolename', 'REALM']);
    expect(await rows(`SELECT * FROM \`${migrated}\`.Roles ORDER BY Id`)).toEqual(ROLES);
    const types = LEGACY_TRACER_TYPES.map(({ id, description }) => [id, description]);
    expect(await rows(`SELECT * FROM \`${migrated}\`.tracer_types ORDER BY id`)).toEqual(types);
    expect(await rows(`SELECT * FROM \`${projected}\`.tracer_types ORDER BY id`)).toEqual(types);
    expect(legacyTableDefinitions).not.toHaveProperty('Roles');
  });

  it('leaves tables the old database already has as they are, and adds only missing Roles rows', async () => {
    const old = databaseName('old');
    try {
      await pool.query(`CREATE DATABASE \`${old}\``);
      // The old system's Users as the contract has it, with an extra column of its own
      await pool.query(legacyTableDefinitions.Users(`\`${old}\`.Users`));
      await pool.query(`ALTER TABLE \`${old}\`.Users ADD COLUMN lastlogin DATETIME NULL`);
      await pool.query(`INSERT INTO \`${old}\`.Users (Id, Username, password) VALUES (7, 'petrh', 'secret')`);
      await pool.query(
        `CREATE TABLE \`${old}\`.Roles (Id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, Rolename CHAR(20) NOT NULL, REALM CHAR(10)) DEFAULT CHARSET=latin1`,
      );
      await pool.query(`INSERT INTO \`${old}\`.Roles VALUES (4, 'Customer', 'zope')`);
      // The old database's own InsertOrder, created strict: never replaced, whatever its mode
      const strict = await pool.getConnection();
      try {
        await strict.query("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
        await strict.query(`CREATE PROCEDURE \`${old}\`.InsertOrder (IN InAmount INT) BEGIN SELECT InAmount; END`);
      } finally {
        strict.destroy();
      }
      const users = await definition(old, 'Users');
      const ownProcedure = await insertOrderRoutine(old);

      await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', old);

      expect(await insertOrderRoutine(old)).toEqual(ownProcedure);

      expect(await definition(old, 'Users')).toEqual(users);
      expect(await rows(`SELECT Id, Username, password FROM \`${old}\`.Users`)).toEqual([[7, 'petrh', 'secret']]);
      expect(await rows(`SELECT * FROM \`${old}\`.Roles ORDER BY Id`)).toEqual(
        ROLES.map((role) => (role[0] === 4 ? [4, 'Customer', 'zope'] : role)),
      );
    } finally {
      await dropTestDatabase(old);
    }
  });

  it("creates InsertOrder in the old server's lenient sql_mode, which its statements run in", async () => {
    const [[definitionText, sqlMode]] = (await insertOrderRoutine(migrated)) as [[string, string]];
    expect(definitionText).toMatch(/^BEGIN/);
    expect(sqlMode).not.toMatch(/STRICT_|NO_ZERO_/);
  });

  it('creates InsertOrder: a customer FDG order merges into the row of its slot, or makes one', async () => {
    const call = (amount: number, amountO: number, comment: string, run = 1) =>
      pool.query(`CALL \`${migrated}\`.InsertOrder(?, ?, ?, ?, ?, ?, ?)`, [
        amount,
        amountO,
        42,
        '2026-03-02 08:00:00',
        comment,
        'herlev',
        run,
      ]);
    await call(1000, 1150, 'first');
    await call(500, 575, 'second');
    await call(200, 230, 'other run', 2);
    const select = `SELECT BID, amount, deliver_datetime, status, batchnr, run, COID, total_amount, frigivet_datetime,
      amount_o, total_amount_o, tracer, comment, userName FROM \`${migrated}\`.orders ORDER BY OID`;
    expect(await rows(select)).toEqual([
      [42, 1500, '2026-03-02 08:00:00', 1, '', 1, -1, 1500, '0000-01-01 00:00:00', 1725, 1725, 6, 'first', 'herlev'],
      [42, 200, '2026-03-02 08:00:00', 1, '', 2, -1, 200, '0000-01-01 00:00:00', 230, 230, 6, 'other run', 'herlev'],
    ]);

    // Two rows for one slot (invariant O1 broken) make the old customer app's order fail.
    await pool.query(
      `INSERT INTO \`${migrated}\`.orders (BID, deliver_datetime, run, tracer) VALUES (42, '2026-03-02 08:00:00', 1, 6)`,
    );
    await expect(call(100, 115, 'third')).rejects.toThrow(/more than one row/);
  });
});
