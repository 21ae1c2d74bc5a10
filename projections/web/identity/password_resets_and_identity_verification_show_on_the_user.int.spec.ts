import type { IdentityWebEvent } from './identity-events';
import { openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

const carlRegistered: IdentityWebEvent = {
  type: 'UserRegistered',
  data: {
    userId: 'user-carl',
    username: 'carl',
    printedName: 'Carl Clausen',
    emails: [],
    identityVerification: {
      method: 'photo-id-in-person',
      reference: 'Passport, last digits 4711',
      verifiedBy: 'user-admin',
    },
  },
};
const requested = (requestId: string): IdentityWebEvent => ({
  type: 'PasswordResetRequested',
  data: {
    userId: 'user-carl',
    requestId,
    requestedBy: 'user-admin',
    passwordHash: '$scrypt$admin-chose',
    expiresAt: '2026-03-03T08:00:00.000Z',
  },
});

describe('users: identity verification and password resets waiting for a second person', () => {
  let bed: IdentityTestBed;

  /** Appends with a reason in the envelope, as the pipeline does for a command that takes one. */
  const givenWithReason = async (occurredAt: string, event: IdentityWebEvent, reason: string) => {
    bed.occurredAt = occurredAt;
    await bed.appendRaw({ streamId: 'identity.user-user-carl', ...event, reason });
    await bed.caughtUp();
  };

  beforeAll(async () => {
    bed = await openIdentityTestBed('resets');
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given a registration with identity verification, then the user shows the method, reference, verifier and when', async () => {
    await bed.givenAt('2026-03-02T07:00:00.000Z', carlRegistered);

    expect(await bed.readModel.userById('user-carl')).toMatchObject({
      identityVerification: {
        method: 'photo-id-in-person',
        reference: 'Passport, last digits 4711',
        verifiedBy: 'user-admin',
        verifiedAt: '2026-03-02T07:00:00.000Z',
      },
      passwordHash: null,
      pendingPasswordReset: null,
    });
  });

  it('given a reset requested with a reason, then it shows as waiting on the user and in the list, and no password is set', async () => {
    await givenWithReason('2026-03-02T08:00:00.000Z', requested('reset-1'), 'Carl forgot it (ticket 4711)');

    const waiting = {
      requestId: 'reset-1',
      requestedBy: 'user-admin',
      requestedAt: '2026-03-02T08:00:00.000Z',
      expiresAt: '2026-03-03T08:00:00.000Z',
      reason: 'Carl forgot it (ticket 4711)',
    };
    expect(await bed.readModel.userById('user-carl')).toMatchObject({
      passwordHash: null,
      mustChangePassword: false,
      pendingPasswordReset: waiting,
    });
    const [listed] = (await bed.readModel.listUsers({ limit: 10 })).items;
    expect(listed).toMatchObject({ id: 'user-carl', hasPassword: false, pendingPasswordReset: waiting });
  });

  it('given the reset confirmed by a second person, then the password is the requester’s choice, confirmed by them, to be changed', async () => {
    await bed.givenAt(
      '2026-03-02T08:10:00.000Z',
      {
        type: 'PasswordResetConfirmed',
        data: {
          userId: 'user-carl',
          requestId: 'reset-1',
          requestedBy: 'user-admin',
          confirmedBy: 'user-second-admin',
          withoutSecondPerson: false,
        },
      },
      {
        type: 'PasswordSet',
        data: { userId: 'user-carl', passwordHash: '$scrypt$admin-chose', setBy: 'user-admin', mustChange: true },
      },
    );

    expect(await bed.readModel.userById('user-carl')).toMatchObject({
      passwordHash: '$scrypt$admin-chose',
      mustChangePassword: true,
      passwordSetBy: 'user-admin',
      passwordConfirmedBy: 'user-second-admin',
      pendingPasswordReset: null,
    });
  });

  it('given the owner then sets their own password, then no confirmer is shown for it', async () => {
    await bed.givenAt('2026-03-02T08:20:00.000Z', {
      type: 'PasswordSet',
      data: { userId: 'user-carl', passwordHash: '$scrypt$carl-chose', setBy: 'user-carl', mustChange: false },
    });

    expect(await bed.readModel.userById('user-carl')).toMatchObject({
      mustChangePassword: false,
      passwordSetBy: 'user-carl',
      passwordConfirmedBy: null,
    });
  });

  it('given a request withdrawn, and another expired, then neither waits any longer and the password stays', async () => {
    await givenWithReason('2026-03-04T08:00:00.000Z', requested('reset-2'), 'Carl is locked out');
    await givenWithReason(
      '2026-03-04T08:05:00.000Z',
      {
        type: 'PasswordResetWithdrawn',
        data: { userId: 'user-carl', requestId: 'reset-2', withdrawnBy: 'user-admin' },
      },
      'Carl remembered it',
    );
    expect(await bed.readModel.userById('user-carl')).toMatchObject({ pendingPasswordReset: null });

    await givenWithReason('2026-03-05T08:00:00.000Z', requested('reset-3'), 'Carl is locked out again');
    expect((await bed.readModel.userById('user-carl'))?.pendingPasswordReset).toMatchObject({ requestId: 'reset-3' });
    await bed.givenAt('2026-03-07T08:00:00.000Z', {
      type: 'PasswordResetExpired',
      data: { userId: 'user-carl', requestId: 'reset-3', expiresAt: '2026-03-06T08:00:00.000Z' },
    });

    expect(await bed.readModel.userById('user-carl')).toMatchObject({
      passwordHash: '$scrypt$carl-chose',
      passwordSetBy: 'user-carl',
      pendingPasswordReset: null,
    });
  });
});
