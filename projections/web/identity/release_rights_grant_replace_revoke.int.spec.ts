import type { ReleaseRightGranted } from './identity-events';
import { examples, openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

const grant = (tracerId: string, expiresOn: string | null, grantedBy = 'user-qp'): ReleaseRightGranted => ({
  type: 'ReleaseRightGranted',
  data: { userId: 'user-alice', tracerId, expiresOn, grantedBy },
});

describe('release rights: grant, replace, revoke', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('release_rights');
    await bed.given(examples.aliceRegistered, examples.bobRegistered);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('a grant adds the right with its end date and grantor', async () => {
    await bed.givenAt('2026-03-02T09:00:00.000Z', grant('tracer-fdg', '2026-12-31'), grant('tracer-fet', null));

    expect((await bed.readModel.userById('user-alice'))?.releaseRights).toEqual([
      { tracerId: 'tracer-fdg', expiresOn: '2026-12-31' },
      { tracerId: 'tracer-fet', expiresOn: null },
    ]);
    expect(
      await bed.rows(
        "SELECT tracer_id, granted_by, DATE_FORMAT(granted_at, '%Y-%m-%d %H:%i') AS granted_at FROM release_rights ORDER BY tracer_id",
      ),
    ).toEqual([
      { tracer_id: 'tracer-fdg', granted_by: 'user-qp', granted_at: '2026-03-02 09:00' },
      { tracer_id: 'tracer-fet', granted_by: 'user-qp', granted_at: '2026-03-02 09:00' },
    ]);
    expect((await bed.readModel.userById('user-bob'))?.releaseRights).toEqual([]);
  });

  it('granting a held right again replaces it', async () => {
    await bed.givenAt(
      '2026-04-01T09:00:00.000Z',
      grant('tracer-fdg', null, 'user-qp-2'),
      grant('tracer-fet', '2026-06-30'),
    );

    expect((await bed.readModel.userById('user-alice'))?.releaseRights).toEqual([
      { tracerId: 'tracer-fdg', expiresOn: null },
      { tracerId: 'tracer-fet', expiresOn: '2026-06-30' },
    ]);
    expect(await bed.rows("SELECT granted_by FROM release_rights WHERE tracer_id = 'tracer-fdg'")).toEqual([
      { granted_by: 'user-qp-2' },
    ]);
  });

  it('a revoke removes the right from the current rights; a later grant gives it back', async () => {
    await bed.given({ type: 'ReleaseRightRevoked', data: { userId: 'user-alice', tracerId: 'tracer-fdg' } });
    expect((await bed.readModel.userById('user-alice'))?.releaseRights).toEqual([
      { tracerId: 'tracer-fet', expiresOn: '2026-06-30' },
    ]);
    expect(await bed.rows("SELECT * FROM release_rights WHERE tracer_id = 'tracer-fdg'")).toEqual([]);

    await bed.given(grant('tracer-fdg', '2027-01-31'));
    expect((await bed.readModel.userById('user-alice'))?.releaseRights).toEqual([
      { tracerId: 'tracer-fdg', expiresOn: '2027-01-31' },
      { tracerId: 'tracer-fet', expiresOn: '2026-06-30' },
    ]);
    expect(await bed.readModel.userById('user-alice')).toMatchObject({ revision: '6' });
  });
});
