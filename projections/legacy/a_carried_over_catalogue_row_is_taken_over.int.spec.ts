import { LEGACY_PROJECTION_NAME } from './legacy-projection';
import { f18, fdg, herlev, reserved } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

describe("a registration that names the old system's row takes that row over", () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_carried_over');
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given F-18, FDG (Tracers.id 6) and a customer in the old tables, when registered with those ids, then their rows are Tracershop’s and the old columns stay', async () => {
    // Given the old database as it is at go-live, and Tracershop's own blocks far above it
    await bed.pool.query("INSERT INTO isotopes (id, name, halflife) VALUES (2, 'F18', 6586)");
    await bed.pool.query(
      "INSERT INTO Tracers (id, name, isotope, in_use, n_injections, order_block, tracer_type, longName) VALUES (6, 'FDG', 2, 1, -1, 3, 1, 'Fluor')",
    );
    await bed.pool.query(
      "INSERT INTO Users (Id, Username, Realname, password) VALUES (42, 'herlev', 'Herlev', 'zope-hash')",
    );
    await bed.pool.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (42, 4)');
    await bed.given(reserved('Tracers', 100, 198), reserved('isotopes', 100, 198), reserved('Users', 400, 498));

    // When the catalogue registers them with the old ids
    await bed.given(f18, fdg, herlev);

    // Then the projection went on, and each row is there once, with the registered values
    expect(await bed.positional('isotopes', 'id')).toEqual([['F-18', 6586, 2]]);
    expect(await bed.positional('Tracers', 'id')).toEqual([[6, 'FDG', 2, 1, -1, 3, 1, '[18F]Fluorodeoxyglucose']]);
    const [users] = await bed.pool.query('SELECT Id, Username, password FROM Users');
    expect(users).toEqual([{ Id: 42, Username: 'herlev', password: 'zope-hash' }]);
    expect(await bed.positional('UserRoles', 'Id_User')).toEqual([[42, 4]]);
  });
  it('given the carried-over customer archived, with its role row left by an older version, then a rebuild removes the row and a restore brings it back', async () => {
    const reason = 'No longer a customer';
    await bed.given({ type: 'CustomerArchived', data: { customerId: 'cust-herlev', reason } });
    // As version 2, which did not follow archiving, left it
    await bed.pool.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (42, 4)');

    await bed.engine.rebuild(LEGACY_PROJECTION_NAME);
    expect(await bed.positional('UserRoles', 'Id_User')).toEqual([]);

    // The old system's row back in place (say, restored by hand there): the restore takes it over
    await bed.pool.query('INSERT INTO UserRoles (Id_User, Id_Role) VALUES (42, 4)');
    await bed.given({ type: 'CustomerRestored', data: { customerId: 'cust-herlev', reason: 'Customer again' } });
    expect(await bed.positional('UserRoles', 'Id_User')).toEqual([[42, 4]]);
  });
});
