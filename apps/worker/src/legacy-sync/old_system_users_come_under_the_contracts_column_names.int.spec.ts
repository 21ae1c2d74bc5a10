import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../test/contract/mysql-test-database';
import { OldSystemUsers } from './old-system-users';

/**
 * The old database spells its columns as it likes (`Kundenr`, `Shortname`: MySQL compares column
 * names case-insensitively), and the planner reads a `Users` row under the contract's names, as a
 * captured change holds it (`kundenr`, `shortname`). A customer role given in the old system must
 * find the user's dispenser number.
 */
describe("the old system's Users rows, under the contract's column names", () => {
  const database = testDatabaseName('old_users_names');
  let record: Pool;

  beforeAll(async () => {
    const admin = await createConnection({ ...MYSQL_TEST_CONNECTION });
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    await admin.end();
    record = createPool({ ...MYSQL_TEST_CONNECTION, database, connectionLimit: 2 });
    await record.query(
      `CREATE TABLE Users (ID INT NOT NULL AUTO_INCREMENT PRIMARY KEY, UserName CHAR(60) NOT NULL, Realname CHAR(50),
         Email CHAR(60), Kundenr INT, Shortname VARCHAR(30), Password VARCHAR(32), lastlogin DATETIME)`,
    );
    await record.query(
      `INSERT INTO Users (ID, UserName, Realname, Email, Kundenr, Shortname, Password)
       VALUES (51, 'hvidovre', 'Hvidovre Hospital', 'pet@hvh.dk', 12, 'HVH', 's3cret')`,
    );
  });

  afterAll(async () => {
    await record.end();
    await dropTestDatabase(database);
  });

  it('given columns spelled otherwise than the contract, then the row has the contract’s names', async () => {
    const users = new OldSystemUsers(record);

    expect(await users.row(51)).toEqual({
      Id: 51,
      Username: 'hvidovre',
      Realname: 'Hvidovre Hospital',
      EMail: 'pet@hvh.dk',
      kundenr: 12,
      shortname: 'HVH',
    });
  });

  it('given a column added or dropped later, then the row follows the table', async () => {
    let now = 0;
    const users = new OldSystemUsers(record, { columnsKeptForMs: 60_000, now: () => now });
    expect(await users.row(51)).not.toHaveProperty('title');

    // Dropped: a name read before is gone, and the read does not fail on it
    await record.query('ALTER TABLE Users DROP COLUMN Email');
    expect(await users.row(51)).not.toHaveProperty('EMail');
    expect(await users.row(51)).toMatchObject({ kundenr: 12 });

    // Added: read once the names are read again
    await record.query("ALTER TABLE Users ADD COLUMN Title VARCHAR(60) NULL DEFAULT 'Afd. for Klinisk Fysiologi'");
    now += 60_001;
    expect(await users.row(51)).toMatchObject({ kundenr: 12, title: 'Afd. for Klinisk Fysiologi' });
  });
});
