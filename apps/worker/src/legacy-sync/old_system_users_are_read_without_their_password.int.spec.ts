import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../test/contract/mysql-test-database';
import { OldSystemUsers } from './old-system-users';

describe("the old system's Users rows, read for a change that names a user", () => {
  const database = testDatabaseName('old_users');
  let record: Pool;

  beforeAll(async () => {
    const admin = await createConnection({ ...MYSQL_TEST_CONNECTION });
    await admin.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
    await admin.end();
    record = createPool({ ...MYSQL_TEST_CONNECTION, database, connectionLimit: 2 });
  });

  afterAll(async () => {
    await record.end();
    await dropTestDatabase(database);
  });

  it('given no Users table yet, then the read fails, and succeeds once the table is there', async () => {
    const users = new OldSystemUsers(record);
    await expect(users.row(1)).rejects.toThrow(/no Users table/);

    // Given an old database: a later column missing, the login secret present
    await record.query(
      `CREATE TABLE Users (Id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, Username CHAR(60) NOT NULL,
         Realname CHAR(50), kundenr INT, Password VARCHAR(32))`,
    );
    await record.query(
      "INSERT INTO Users (Id, Username, Realname, kundenr, Password) VALUES (51, 'hvidovre', 'Hvidovre', 12, 's3cret')",
    );

    // Then the row has the columns the table has, never the password
    expect(await users.row(51)).toEqual({ Id: 51, Username: 'hvidovre', Realname: 'Hvidovre', kundenr: 12 });
    expect(await users.row(53)).toBeNull();
  });
});
