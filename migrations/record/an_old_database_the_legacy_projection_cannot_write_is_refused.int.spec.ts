import { createPool, type Pool } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { migrateProjectionDatabase } from '@tracershop/projections/engine';
import { legacyColumns, legacyContractTables, legacyTableDefinitions } from '../../projections/legacy/legacy-tables';
import { dropTestDatabase, MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { recordTestDatabaseName } from '../../test/projections/projection-test-bed';
import { LEGACY_CONTRACT_TABLES } from './1795392000000-create-legacy-tables';

/**
 * `migrate` on a record database that already holds the old system's tables (a real deployment
 * does): tables the legacy projection could not write (a contract column missing, not InnoDB) fail
 * the migration with one error naming each of them, before anything is changed; tables the old
 * system has grown beyond the contract (its own columns, its own triggers) are fine.
 */
describe("migrate on an old system's database", () => {
  const databases: string[] = [];
  let pool: Pool;

  const newDatabase = async (purpose: string) => {
    const database = recordTestDatabaseName(purpose);
    databases.push(database);
    await pool.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    return database;
  };
  /** The contract's definition of a table, in `database`, as the old system might have it. */
  const createOld = (database: string, table: keyof typeof legacyTableDefinitions, edit = (ddl: string) => ddl) =>
    pool.query(edit(legacyTableDefinitions[table](`${quoteIdentifier(database)}.${quoteIdentifier(table)}`)));
  const tables = async (database: string) => {
    const [rows] = await pool.query(
      'SELECT table_name AS name, engine FROM information_schema.tables WHERE BINARY table_schema = ? ORDER BY BINARY table_name',
      [database],
    );
    return (rows as Array<{ name: string; engine: string }>).map(({ name, engine }) => `${name} ${engine}`);
  };
  const triggers = async (database: string) => {
    const [rows] = await pool.query(
      'SELECT trigger_name AS name FROM information_schema.triggers WHERE BINARY trigger_schema = ? ORDER BY trigger_name',
      [database],
    );
    return (rows as Array<{ name: string }>).map(({ name }) => name);
  };
  const definition = async (database: string, table: string) => {
    const [[created]] = (await pool.query(
      `SHOW CREATE TABLE ${quoteIdentifier(database)}.${quoteIdentifier(table)}`,
    )) as unknown as [Record<string, string>[]];
    return String(created?.['Create Table']);
  };
  const roles = async (database: string) => {
    const [rows] = await pool.query(`SELECT Id, Rolename, REALM FROM ${quoteIdentifier(database)}.Roles ORDER BY Id`);
    return rows;
  };

  beforeAll(() => {
    pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 2 });
  });

  afterAll(async () => {
    await pool.end();
    for (const database of databases) await dropTestDatabase(database);
  });

  it('checks the columns the migration creates, which are the contract’s', () => {
    const checked = Object.fromEntries(LEGACY_CONTRACT_TABLES.map(({ table, columns }) => [table, columns]));
    expect(checked).toEqual({ ...legacyColumns, Roles: ['Id', 'Rolename', 'REALM'] });
    for (const table of legacyContractTables) {
      expect(LEGACY_CONTRACT_TABLES.find((contract) => contract.table === table)?.innoDb).toBe(true);
    }
  });

  it('given Users without title and a MyISAM VAL, then migrate fails naming both, and changes nothing', async () => {
    const old = await newDatabase('old_incompatible');
    // Users as the old system spells it (Kundenr, Shortname), without the live-only title column
    await createOld(old, 'Users', (ddl) =>
      ddl
        .replace(/\n\s*title [^\n]*/, '')
        .replace('kundenr INT', 'Kundenr INT')
        .replace('shortname VARCHAR', 'Shortname VARCHAR'),
    );
    await createOld(old, 'VAL', (ddl) => ddl.replace('ENGINE=InnoDB', 'ENGINE=MyISAM'));
    await createOld(old, 'UserRoles');
    await pool.query(
      `CREATE TABLE ${quoteIdentifier(old)}.Roles (Id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, Rolename CHAR(20) NOT NULL, REALM CHAR(10)) ENGINE=MyISAM`,
    );
    await pool.query(`INSERT INTO ${quoteIdentifier(old)}.Roles VALUES (4, 'Kunde', '*')`);
    const before = await tables(old);
    const users = await definition(old, 'Users');

    const migrating = migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', old);

    await expect(migrating).rejects.toThrow(/Users: missing column title/);
    const message = await migrating.catch((error: Error) => error.message);
    expect(message).toMatch(/VAL: engine MyISAM, not InnoDB/);
    expect(message).not.toMatch(/UserRoles|Roles:|kundenr|shortname/i);
    // Nothing of the old system's changed: no table added beside the migrations' own bookkeeping, no trigger
    expect((await tables(old)).filter((table) => !/^(schema_migrations|projection_checkpoints) /.test(table))).toEqual(
      before,
    );
    expect(await triggers(old)).toEqual([]);
    expect(await definition(old, 'Users')).toEqual(users);
    expect(await roles(old)).toEqual([{ Id: 4, Rolename: 'Kunde', REALM: '*' }]);

    // Once the old tables are fixed, the migration goes on
    await pool.query(`ALTER TABLE ${quoteIdentifier(old)}.Users ADD COLUMN title VARCHAR(60) NULL`);
    await pool.query(`ALTER TABLE ${quoteIdentifier(old)}.VAL ENGINE=InnoDB`);
    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', old);
    expect(await tables(old)).toEqual(expect.arrayContaining(legacyContractTables.map((table) => `${table} InnoDB`)));
  });

  it('given a database migrated before the check, then the next migrate fails on what it missed', async () => {
    const old = await newDatabase('old_migrated_unchecked');
    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', old);
    // As the unchecked migration left an old database: Users without title, VAL kept MyISAM
    await pool.query(`ALTER TABLE ${quoteIdentifier(old)}.Users DROP COLUMN title`);
    await pool.query(`ALTER TABLE ${quoteIdentifier(old)}.VAL ENGINE=MyISAM`);
    await pool.query(
      `DELETE FROM ${quoteIdentifier(old)}.schema_migrations WHERE name = 'CheckTheOldDatabasesLegacyTables1795651200000'`,
    );

    await expect(migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', old)).rejects.toThrow(
      /VAL: engine MyISAM, not InnoDB\n {2}- Users: missing column title\n/,
    );
  });

  it('given tables with columns and triggers of their own, then migrate keeps them and creates what is missing', async () => {
    const old = await newDatabase('old_compatible');
    const [[{ lowerCaseTableNames }]] = (await pool.query(
      'SELECT @@lower_case_table_names AS lowerCaseTableNames',
    )) as unknown as [[{ lowerCaseTableNames: number }]];
    await createOld(old, 'Users', (ddl) =>
      ddl.replace('kundenr INT', 'Kundenr INT').replace('PRIMARY KEY', 'lastlogin DATETIME NULL, PRIMARY KEY'),
    );
    await pool.query(
      `CREATE TRIGGER ${quoteIdentifier(old)}.zope_users_touch BEFORE UPDATE ON ${quoteIdentifier(old)}.Users
       FOR EACH ROW SET NEW.lastlogin = NOW()`,
    );
    await createOld(old, 'VAL');
    // Table names are case-sensitive here: a MyISAM `val` is not the contract's `VAL`
    if (Number(lowerCaseTableNames) === 0) {
      await pool.query(`CREATE TABLE ${quoteIdentifier(old)}.val (customer VARCHAR(20)) ENGINE=MyISAM`);
    }
    const users = await definition(old, 'Users');

    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', old);

    expect(await definition(old, 'Users')).toEqual(users);
    expect(await triggers(old)).toEqual(expect.arrayContaining(['zope_users_touch', 'legacy_capture_Users_update']));
    expect(await tables(old)).toEqual(expect.arrayContaining(legacyContractTables.map((table) => `${table} InnoDB`)));
  });
});
