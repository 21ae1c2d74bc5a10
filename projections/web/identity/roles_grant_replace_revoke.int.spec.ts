import type { IdentityWebEvent, RoleGranted } from './identity-events';
import { examples, openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

const grant = (role: RoleGranted['data']['role'], customerIds: string[], locationIds: string[]): RoleGranted => ({
  type: 'RoleGranted',
  data: { userId: 'user-alice', role, customerIds, locationIds },
});

describe('roles: grant, replace on a second grant, revoke', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('roles');
    await bed.given(examples.aliceRegistered, examples.bobRegistered);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('a grant adds the role with its scope, granted by the actor', async () => {
    bed.actorId = 'user-admin-1';
    await bed.givenAt(
      '2026-03-02T08:00:00.000Z',
      grant('shop', ['cust-herlev'], ['ep-herlev-pet']),
      grant('production', [], []),
    );

    expect((await bed.readModel.userById('user-alice'))?.roles).toEqual([
      { role: 'production', customerIds: [], locationIds: [] },
      { role: 'shop', customerIds: ['cust-herlev'], locationIds: ['ep-herlev-pet'] },
    ]);
    expect(await bed.rows('SELECT role, granted_by, granted_at FROM user_roles ORDER BY role')).toEqual([
      { role: 'production', granted_by: 'user-admin-1', granted_at: expect.any(Date) },
      { role: 'shop', granted_by: 'user-admin-1', granted_at: expect.any(Date) },
    ]);
    expect((await bed.readModel.userById('user-bob'))?.roles).toEqual([]);
    expect(await bed.readModel.userById('user-alice')).toMatchObject({ revision: '2' });
  });

  it('granting a held role again replaces its scope and its grant', async () => {
    bed.actorId = 'user-admin-2';
    await bed.givenAt('2026-03-05T08:00:00.000Z', grant('shop', ['cust-rh', 'cust-herlev'], []));

    expect((await bed.readModel.userByUsername('alice'))?.roles).toEqual([
      { role: 'production', customerIds: [], locationIds: [] },
      { role: 'shop', customerIds: ['cust-rh', 'cust-herlev'], locationIds: [] },
    ]);
    expect(
      await bed.rows(
        "SELECT granted_by, DATE_FORMAT(granted_at, '%Y-%m-%d %H:%i') AS granted_at FROM user_roles WHERE role = 'shop'",
      ),
    ).toEqual([{ granted_by: 'user-admin-2', granted_at: '2026-03-05 08:00' }]);
  });

  it('a revoke removes the role; revoking and granting again starts over', async () => {
    const revoke: IdentityWebEvent = { type: 'RoleRevoked', data: { userId: 'user-alice', role: 'production' } };
    await bed.given(revoke);
    expect((await bed.readModel.userById('user-alice'))?.roles.map((held) => held.role)).toEqual(['shop']);

    await bed.given(
      { type: 'RoleRevoked', data: { userId: 'user-alice', role: 'shop' } },
      grant('shop', [], ['loc-1']),
    );
    expect((await bed.readModel.userById('user-alice'))?.roles).toEqual([
      { role: 'shop', customerIds: [], locationIds: ['loc-1'] },
    ]);
  });

  it('every role of the contract can be held, and the list shows them', async () => {
    const roles = ['admin', 'production', 'releaser', 'shop', 'location-owner', 'auditor'] as const;
    await bed.given(
      ...roles.map((role) => ({ ...grant(role, [], []), data: { ...grant(role, [], []).data, userId: 'user-bob' } })),
    );
    expect((await bed.readModel.userById('user-bob'))?.roles.map((held) => held.role)).toEqual([...roles].sort());
    const [bob] = (await bed.readModel.listUsers({ limit: 10 })).items.filter((user) => user.id === 'user-bob');
    expect(bob.roles).toHaveLength(roles.length);
  });
});
