import type { Role, RoleGranted } from '@tracershop/domain/identity';
import { catalogue, fdgPermission, fetPermission, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

const reason = 'Spec';

describe('legacy Users, UserRoles and catalogue rows', () => {
  let bed: LegacyTestBed;

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_catalogue');
    await bed.given(...catalogue, ...staff);
  });

  afterAll(async () => {
    await bed.close();
  });

  const herlevRow = [
    42,
    'herlev',
    'Herlev Hospital',
    'pet@herlev.example',
    'nuk@herlev.example',
    null,
    null,
    15,
    2,
    38680000,
    'Anne Jensen',
    'Borgmester Ib Juuls Vej 1',
    'Herlev',
    'Opgang 5',
    null,
    'Herlev PET',
    null,
    'PET-centret',
  ];
  const staffRow = (id: number, username: string, name: string, email: string | null) => [
    id,
    username,
    name,
    email,
    ...Array<null>(13).fill(null),
    null,
  ];

  it('writes customers and staff into Users, and their legacy roles into UserRoles', async () => {
    expect(await bed.positional('Users', 'Id')).toEqual([
      staffRow(15, 'anne', 'Anne Jensen', null),
      staffRow(17, 'peter', 'Peter Hansen', 'peter@rh.example'),
      herlevRow,
    ]);
    expect(await bed.positional('UserRoles', 'Id_User')).toEqual([
      [17, 6],
      [42, 4],
    ]);
  });

  it('updates a customer row and never writes the password', async () => {
    await bed.pool.query("UPDATE Users SET password = 'zope-secret' WHERE Id IN (17, 42)");
    await bed.given({
      type: 'CustomerUpdated',
      data: {
        reason: 'Corrected after review',
        customerId: 'cust-herlev',
        changes: {
          emails: {
            from: ['pet@herlev.example', 'nuk@herlev.example'],
            to: ['a@h.example', 'b@h.example', 'c@h.example'],
          },
          phone: { from: '+45 38 68 00 00', to: '+46 40 33 10 00' },
          legacy: {
            from: { title: 'PET-centret', labelName: 'Herlev PET', addressLine3: 'Opgang 5', addressLine4: null },
            to: null,
          },
        },
      },
    });
    await bed.given({
      type: 'UserDetailsChanged',
      data: { userId: 'user-peter', changes: { printedName: { from: 'Peter Hansen', to: 'Peter H. Hansen' } } },
    });
    const [peter, herlev] = (await bed.positional('Users', 'Id')).slice(1);
    expect(herlev).toEqual([
      ...herlevRow.slice(0, 3),
      'a@h.example',
      'b@h.example',
      'c@h.example',
      null,
      15,
      2,
      null, // +46 40 33 10 00 has more digits than an INT holds
      ...herlevRow.slice(10, 13),
      null,
      null,
      'herlev',
      'zope-secret',
      null,
    ]);
    expect(peter).toEqual([
      ...staffRow(17, 'peter', 'Peter H. Hansen', 'peter@rh.example').slice(0, 16),
      'zope-secret',
      null,
    ]);
  });

  it('maps staff roles: admin 1, production and releaser 6, auditor 7; deactivation removes them', async () => {
    const grant = (role: Role): RoleGranted => ({
      type: 'RoleGranted',
      data: { userId: 'user-peter', role, customerIds: role === 'shop' ? ['cust-herlev'] : [], locationIds: [] },
    });
    await bed.given(grant('releaser'), grant('admin'), grant('shop'));
    await bed.given({ type: 'RoleRevoked', data: { userId: 'user-peter', role: 'production' } });
    expect(await bed.positional('UserRoles', 'Id_User')).toEqual([
      [17, 1],
      [17, 6],
      [42, 4],
    ]);
    await bed.given(grant('auditor'), { type: 'RoleRevoked', data: { userId: 'user-peter', role: 'releaser' } });
    expect(await bed.rows('SELECT Id_Role FROM UserRoles WHERE Id_User = 17 ORDER BY Id_Role')).toEqual([
      { Id_Role: 1 },
      { Id_Role: 7 },
    ]);
    await bed.given({ type: 'UserDeactivated', data: { userId: 'user-peter' } });
    expect(await bed.positional('UserRoles', 'Id_User')).toEqual([[42, 4]]);
    expect(await bed.rows('SELECT Username FROM Users WHERE Id = 17')).toEqual([{ Username: 'peter' }]);
  });

  it('given an archived customer, then it has no customer role in the old system until restored; its Users row stays', async () => {
    await bed.given({ type: 'CustomerArchived', data: { customerId: 'cust-herlev', reason } });
    expect(await bed.rows('SELECT Id_User FROM UserRoles WHERE Id_Role = 4')).toEqual([]);
    expect(await bed.rows('SELECT Username, kundenr FROM Users WHERE Id = 42')).toEqual([
      { Username: 'herlev', kundenr: 2 },
    ]);
    await bed.given({ type: 'CustomerRestored', data: { customerId: 'cust-herlev', reason } });
    expect(await bed.rows('SELECT Id_User FROM UserRoles WHERE Id_Role = 4')).toEqual([{ Id_User: 42 }]);
  });

  it('writes the tracers, isotopes, tracer types and injection tracer permissions', async () => {
    expect(await bed.positional('Tracers', 'id')).toEqual([
      [6, 'FDG', 2, 1, -1, 3, 1, '[18F]Fluorodeoxyglucose'],
      [8, 'FET', 2, 1, 4, null, 2, '[18F]Fluoroethyltyrosine'],
      [10, 'FCH', 2, 1, -1, null, 1, '[18F]Fluorocholine'],
    ]);
    expect(await bed.positional('isotopes', 'id')).toEqual([['F-18', 6586, 2]]);
    expect(await bed.positional('tracer_types', 'id')).toEqual([
      [1, 'Activity Tracer'],
      [2, 'Dose Tracer'],
    ]);
    expect(await bed.positional('TracerCustomer', 'ID')).toEqual([[8, 42, fetPermission.data.legacyId]]);

    await bed.given(
      { type: 'TracerArchived', data: { tracerId: 'tracer-fch', reason } },
      {
        type: 'TracerUpdated',
        data: {
          reason: 'Corrected after review',
          tracerId: 'tracer-fet',
          changes: { legacy: { from: { orderBlock: null, injections: 4 }, to: { orderBlock: 12, injections: null } } },
        },
      },
      {
        type: 'IsotopeUpdated',
        data: {
          reason: 'Corrected after review',
          isotopeId: 'iso-f18',
          changes: { halfLifeSeconds: { from: 6586.2, to: 6586.6 } },
        },
      },
      { type: 'TracerPermissionRevoked', data: { endpointId: 'ep-herlev-pet', tracerId: 'tracer-fet', reason } },
      { type: 'TracerPermissionRevoked', data: { endpointId: 'ep-herlev-pet', tracerId: 'tracer-fdg', reason } },
    );
    expect((await bed.positional('Tracers', 'id')).slice(1)).toEqual([
      [8, 'FET', 2, 1, -1, 12, 2, '[18F]Fluoroethyltyrosine'],
      [10, 'FCH', 2, 0, -1, null, 1, '[18F]Fluorocholine'],
    ]);
    expect(await bed.positional('isotopes', 'id')).toEqual([['F-18', 6587, 2]]);
    expect(await bed.positional('TracerCustomer', 'ID')).toEqual([]);

    await bed.given(fetPermission, fdgPermission);
    expect(await bed.positional('TracerCustomer', 'ID')).toEqual([[8, 42, 52]]);
  });

  it('writes the FDG schedule into deliverTimes and productionTimes, following updates and archiving', async () => {
    expect(await bed.positional('deliverTimes', 'DTID')).toEqual([
      [42, 1, 1, '08:00:00', null, 30, 1],
      [42, 1, 1, '09:00:00', null, 32, 1],
      [42, 1, 1, '10:30:00', null, 34, 2],
    ]);
    expect(await bed.positional('productionTimes', 'PTID')).toEqual([
      [1, '06:30:00', 1, 100000, 20],
      [1, '09:00:00', 2, 100000, 22],
    ]);

    await bed.given(
      {
        type: 'DeliveryTimeSlotUpdated',
        data: {
          reason: 'Corrected after review',
          slotId: 'slot-0800',
          changes: { repeat: { from: 'every', to: 'odd' }, maxActivityMBq: { from: null, to: 4999.6 } },
        },
      },
      { type: 'DeliveryTimeSlotArchived', data: { slotId: 'slot-0900', reason } },
      {
        type: 'ProductionRunUpdated',
        data: {
          reason: 'Corrected after review',
          productionRunId: 'run-mon-2',
          changes: { runNumber: { from: 2, to: 3 }, productionTime: { from: '09:00', to: '09:15' } },
        },
      },
    );
    expect(await bed.positional('deliverTimes', 'DTID')).toEqual([
      [42, 1, 3, '08:00:00', 5000, 30, 1],
      [42, 1, 1, '10:30:00', null, 34, 3],
    ]);
    expect(await bed.positional('productionTimes', 'PTID')).toEqual([
      [1, '06:30:00', 1, 100000, 20],
      [1, '09:15:00', 3, 100000, 22],
    ]);

    await bed.given(
      { type: 'DeliveryTimeSlotRestored', data: { slotId: 'slot-0900', reason } },
      { type: 'ProductionRunArchived', data: { productionRunId: 'run-mon-2', reason } },
    );
    expect((await bed.positional('deliverTimes', 'DTID')).map((row) => row[5])).toEqual([30, 32, 34]);
    expect(await bed.positional('productionTimes', 'PTID')).toEqual([[1, '06:30:00', 1, 100000, 20]]);
  });

  it('numbers days 1 = Monday … 7 = Sunday and even ISO weeks repeat_t 2', async () => {
    // Given a Sunday FDG run, and a slot on it delivered in even weeks only
    await bed.given(
      {
        type: 'ProductionRunScheduled',
        data: {
          productionRunId: 'run-sun-1',
          tracerId: 'tracer-fdg',
          weekday: 7,
          productionTime: '07:00',
          runNumber: 1,
          maxActivityMBq: 50_000,
          legacyId: 26,
        },
      },
      {
        type: 'DeliveryTimeSlotScheduled',
        data: {
          slotId: 'slot-sun-0900',
          endpointId: 'ep-herlev-pet',
          productionRunId: 'run-sun-1',
          weekday: 7,
          deliveryTime: '09:00',
          repeat: 'even',
          maxActivityMBq: null,
          expiryDate: null,
          legacyId: 38,
        },
      },
    );
    // Then the old tables hold day 7, and repeat_t 2
    expect((await bed.positional('productionTimes', 'PTID')).at(-1)).toEqual([7, '07:00:00', 1, 50000, 26]);
    expect((await bed.positional('deliverTimes', 'DTID')).at(-1)).toEqual([42, 7, 2, '09:00:00', null, 38, 1]);
  });

  it('writes closed dates into blockDeliverDate and deletes reopened ones', async () => {
    await bed.given(
      { type: 'DateClosed', data: { date: '2026-12-24', reason, legacyId: 60 } },
      { type: 'DateClosed', data: { date: '2026-12-31', reason, legacyId: 62 } },
      { type: 'DateReopened', data: { date: '2026-12-31', reason } },
    );
    expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([[60, '2026-12-24']]);
    await bed.given({ type: 'DateClosed', data: { date: '2026-12-31', reason, legacyId: 62 } });
    expect(await bed.positional('blockDeliverDate', 'BDID')).toEqual([
      [60, '2026-12-24'],
      [62, '2026-12-31'],
    ]);
  });
});
