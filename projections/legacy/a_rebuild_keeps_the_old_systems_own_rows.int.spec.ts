import { versionedTables } from '../../test/projections/projection-test-bed';
import { LEGACY_PROJECTION_NAME } from './legacy-projection';
import { catalogue, dayCommand, placeFdg, reserved, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

describe("a rebuild of legacy.tracershop keeps the old system's own rows", () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_merge');
  });

  afterAll(async () => {
    await bed.close();
  });

  it("replaces Tracershop's rows in place and leaves the old system's rows, ids and passwords alone", async () => {
    // Given Tracershop's rows: the catalogue, staff and two FDG orders with ids of its reserved range
    await bed.given(reserved('orders', 1000, 1998), reserved('Users', 400, 498), ...catalogue, ...staff);
    await bed.decideDay(placeFdg('order-1', 1002, '08:00', 1000));
    await bed.decideDay(placeFdg('order-2', 1006, '10:30', 500));
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-1' });
    // and the old system's own rows beside them: older data below the range, its odd ids in it
    await bed.pool.query(
      `INSERT INTO orders (OID, BID, tracer, amount, deliver_datetime, status) VALUES
         (56, 17, 6, 300, '2019-05-06 08:00:00', 3), (1001, 17, 6, 450, '2026-03-02 11:00:00', 1)`,
    );
    await bed.pool.query(
      "INSERT INTO Users (Id, Username, Realname, password) VALUES (33, 'gammel', 'Gammel Kunde', 'zope-hash')",
    );
    await bed.pool.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (33, 4)');
    await bed.pool.query(
      "INSERT INTO VAL (ID, customer, charge, depotpos, filldate, filltime, volume, gros, tare, net, product, activity) VALUES (3, '17', 'FDG-190506-1', 1, '2019-05-06', '07:10:00', 5.1, 20, 10, 10, 'FDG', 2000)",
    );
    await bed.pool.query("UPDATE Users SET password = 'secret' WHERE Id = 17");
    // and, in Tracershop's range, a row the events do not give (left by an earlier version, written
    // as projections write: not captured) and a changed one
    const earlierVersion = await bed.pool.getConnection();
    try {
      await earlierVersion.query('SET @tracershop_projection_write = 1');
      await earlierVersion.query('INSERT INTO orders (OID, BID, tracer, amount, status) VALUES (1010, 17, 6, 1, 1)');
      await earlierVersion.query('SET @tracershop_projection_write = NULL');
    } finally {
      earlierVersion.release();
    }
    // and a row the old system inserted with an even id in that range (a server not set up to give
    // its connections odd ids): the capture saw it come from the old system
    await bed.pool.query(
      "INSERT INTO orders (OID, BID, tracer, amount, deliver_datetime, status) VALUES (1014, 17, 6, 250, '2026-03-02 12:00:00', 1)",
    );
    await bed.pool.query('UPDATE orders SET amount = 1 WHERE OID = 1002');
    await bed.pool.query('UPDATE Users SET Username = UPPER(Username) WHERE Id = 17');
    // and what the old system keeps in the columns it owns of Tracershop's rows
    await bed.pool.query("UPDATE orders SET received_datetime = '2026-03-02 08:04:00', price = 875 WHERE OID = 1006");
    await bed.pool.query('ALTER TABLE orders AUTO_INCREMENT = 30001');

    // When the projection is rebuilt
    const report = await bed.engine.rebuild(LEGACY_PROJECTION_NAME);

    // Then the old system's rows are all there, whole
    expect(report).toMatchObject({ projection: LEGACY_PROJECTION_NAME, replacedVersion: 5 });
    const orders = await bed.rows('SELECT OID, BID, amount, status FROM orders ORDER BY OID');
    expect(orders.map((row) => row.OID)).toEqual([56, 1001, 1002, 1006, 1014]);
    expect(orders[0]).toEqual({ OID: 56, BID: 17, amount: 300, status: 3 });
    expect(orders[1]).toEqual({ OID: 1001, BID: 17, amount: 450, status: 1 });
    expect(await bed.rows('SELECT Id, Username, password FROM Users WHERE Id IN (17, 33) ORDER BY Id')).toEqual([
      { Id: 17, Username: 'peter', password: 'secret' },
      { Id: 33, Username: 'gammel', password: 'zope-hash' },
    ]);
    expect(await bed.rows('SELECT Id_Role FROM UserRoles WHERE Id_User = 33')).toEqual([{ Id_Role: 4 }]);
    expect(await bed.rows('SELECT ID, charge FROM VAL')).toEqual([{ ID: 3, charge: 'FDG-190506-1' }]);
    // and Tracershop's rows are the rebuilt ones: the changed row restored, the stray one gone
    expect(orders[2]).toMatchObject({ OID: 1002, amount: 1000, status: 2 });
    expect(
      await bed.rows("SELECT DATE_FORMAT(received_datetime, '%H:%i') AS received, price FROM orders WHERE OID = 1006"),
    ).toEqual([{ received: '08:04', price: '875.00' }]);
    // and the tables kept their counters, with no shadow or retired copy left
    const [[created]] = (await bed.reader.query('SHOW CREATE TABLE orders')) as unknown as [Record<string, string>[]];
    expect(created?.['Create Table']).toContain('AUTO_INCREMENT=30001');
    expect(await versionedTables(bed.pool, bed.database)).toEqual([]);

    // And the live runner goes on in the same tables
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-2' });
    expect(await bed.rows('SELECT OID, status FROM orders WHERE OID IN (1001, 1006) ORDER BY OID')).toEqual([
      { OID: 1001, status: 1 },
      { OID: 1006, status: 2 },
    ]);
  });
});
