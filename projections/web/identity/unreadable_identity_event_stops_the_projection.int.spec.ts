import { ProjectionNotCaughtUpError } from '@tracershop/projections/engine';
import type { IdentityWebEvent } from './identity-events';
import { IDENTITY_PROJECTION_NAME } from './identity-projection';
import { examples, openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

/**
 * GMP: an event the projection cannot store faithfully stops it at that event, with the event in its
 * status; it is never skipped or half applied.
 */
describe('an event web.identity cannot read stops it at that event', () => {
  let bed: IdentityTestBed;

  beforeEach(async () => {
    bed = await openIdentityTestBed('identity_poison');
    await bed.given(examples.aliceRegistered);
  });

  afterEach(async () => {
    await bed.close();
  });

  async function expectStoppedAt(eventType: string, message: RegExp) {
    const [status] = await bed.engine.status();
    expect(status).toMatchObject({ name: IDENTITY_PROJECTION_NAME, healthy: false });
    expect(status.failure).toMatchObject({ eventType, position: bed.lastPosition() });
    expect(status.failure?.message).toMatch(message);
    await expect(bed.engine.waitForPosition(IDENTITY_PROJECTION_NAME, bed.lastPosition(), 100)).rejects.toBeInstanceOf(
      ProjectionNotCaughtUpError,
    );
  }

  it('a role the contract does not know', async () => {
    const failed = bed.reaches('failed');
    await bed.append({
      type: 'RoleGranted',
      data: { userId: 'user-alice', role: 'superuser', customerIds: [], locationIds: [] },
    } as unknown as IdentityWebEvent);
    await failed;

    await expectStoppedAt('RoleGranted', /no role superuser/);
    expect(await bed.readModel.userById('user-alice')).toMatchObject({ roles: [], revision: '0' });
  });

  it('a change of a field the tables have no column for', async () => {
    const failed = bed.reaches('failed');
    await bed.append({
      type: 'UserDetailsChanged',
      data: { userId: 'user-alice', changes: { phone: { from: null, to: '+45 1234' } } },
    } as unknown as IdentityWebEvent);
    await failed;

    await expectStoppedAt('UserDetailsChanged', /phone/);
  });

  it('a schema version it has no reader for', async () => {
    const failed = bed.reaches('failed');
    await bed.appendRaw({
      streamId: 'identity.user-user-carl',
      type: 'UserRegistered',
      data: { userId: 'user-carl', username: 'carl', displayName: 'Carl' },
      schemaVersion: 2,
    });
    await failed;

    await expectStoppedAt('UserRegistered', /schema version 2/);
    expect(await bed.readModel.userById('user-carl')).toBeNull();
  });

  it('username claims and other contexts only move the checkpoint', async () => {
    await bed.appendRaw(
      {
        streamId: 'identity.usernameClaim-carl',
        type: 'UsernameClaimed',
        data: { username: 'carl', userId: 'user-carl' },
      },
      {
        streamId: 'identity.usernameClaim-carl',
        type: 'UsernameReleased',
        data: { username: 'carl', userId: 'user-carl' },
      },
      {
        streamId: 'catalog.user-user-dora',
        type: 'UserRegistered',
        data: { userId: 'user-dora', username: 'dora', printedName: 'Dora', emails: [] },
      },
    );
    await bed.caughtUp();
    expect(await bed.rows('SELECT id FROM users')).toEqual([{ id: 'user-alice' }]);
  });
});
