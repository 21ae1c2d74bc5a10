import type { IdentityWebEvent, LoginFailed } from './identity-events';
import { examples, openIdentityTestBed, type IdentityTestBed } from './test-support/identity-test-bed';

const failed = (failuresInWindow: number, remoteAddress: string | null = '10.0.0.7'): LoginFailed => ({
  type: 'LoginFailed',
  data: { userId: 'user-alice', reason: 'bad-password', remoteAddress, failuresInWindow },
});

describe('passwords, failed logins, lockout and failed signatures', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('passwords');
    await bed.given(examples.aliceRegistered, examples.bobRegistered);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('a password set by an admin stores the hash and asks for a change', async () => {
    await bed.givenAt('2026-03-02T08:00:00.000Z', {
      type: 'PasswordSet',
      data: { userId: 'user-alice', passwordHash: '$argon2id$v=19$first', setBy: 'user-admin', mustChange: true },
    });
    expect(await bed.readModel.userByUsername('alice')).toMatchObject({
      passwordHash: '$argon2id$v=19$first',
      mustChangePassword: true,
    });
    expect(
      await bed.rows(
        "SELECT password_set_by, DATE_FORMAT(password_set_at, '%Y-%m-%d %H:%i') AS password_set_at FROM users WHERE id = 'user-alice'",
      ),
    ).toEqual([{ password_set_by: 'user-admin', password_set_at: '2026-03-02 08:00' }]);
  });

  it('the user setting their own password clears the change request', async () => {
    await bed.givenAt('2026-03-02T08:05:00.000Z', {
      type: 'PasswordSet',
      data: { userId: 'user-alice', passwordHash: '$argon2id$v=19$second', setBy: 'user-alice', mustChange: false },
    });
    expect(await bed.readModel.userById('user-alice')).toMatchObject({
      passwordHash: '$argon2id$v=19$second',
      mustChangePassword: false,
    });
    expect(await bed.rows("SELECT password_set_by FROM users WHERE id = 'user-alice'")).toEqual([
      { password_set_by: 'user-alice' },
    ]);
  });

  it('failed logins are counted on the user and kept one row each; a lockout sets its end', async () => {
    await bed.givenAt('2026-03-02T09:00:00.000Z', failed(1));
    await bed.givenAt('2026-03-02T09:00:10.000Z', failed(2, null));
    await bed.givenAt('2026-03-02T09:00:20.000Z', failed(3), {
      type: 'UserLockedOut',
      data: { userId: 'user-alice', until: '2026-03-02T09:15:20.000Z' },
    });

    expect(await bed.readModel.userById('user-alice')).toMatchObject({
      lockedUntil: '2026-03-02T09:15:20.000Z',
      failedLoginsInWindow: 3,
    });
    const [listed] = (await bed.readModel.listUsers({ limit: 10 })).items;
    expect(listed).toMatchObject({
      id: 'user-alice',
      lockedUntil: '2026-03-02T09:15:20.000Z',
      lastLoginFailureAt: '2026-03-02T09:00:20.000Z',
    });

    const failures = await bed.readModel.loginFailures('user-alice', { limit: 10 });
    expect(failures).toEqual({
      items: [
        {
          userId: 'user-alice',
          revision: '5',
          at: '2026-03-02T09:00:20.000Z',
          reason: 'bad-password',
          remoteAddress: '10.0.0.7',
          failuresInWindow: 3,
        },
        {
          userId: 'user-alice',
          revision: '4',
          at: '2026-03-02T09:00:10.000Z',
          reason: 'bad-password',
          remoteAddress: null,
          failuresInWindow: 2,
        },
        {
          userId: 'user-alice',
          revision: '3',
          at: '2026-03-02T09:00:00.000Z',
          reason: 'bad-password',
          remoteAddress: '10.0.0.7',
          failuresInWindow: 1,
        },
      ],
      nextCursor: null,
    });
    expect((await bed.readModel.loginFailures('user-bob', { limit: 10 })).items).toEqual([]);
  });

  it('a later lockout replaces the end; failures page newest first', async () => {
    const more: IdentityWebEvent[] = Array.from({ length: 9 }, (_, index) => failed(index + 1, `10.0.1.${index}`));
    await bed.givenAt('2026-03-03T10:00:00.000Z', ...more, {
      type: 'UserLockedOut',
      data: { userId: 'user-alice', until: '2026-03-03T11:00:00+01:00' },
    });
    expect(await bed.readModel.userById('user-alice')).toMatchObject({
      lockedUntil: '2026-03-03T10:00:00.000Z',
      failedLoginsInWindow: 9,
    });

    const revisions: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await bed.readModel.loginFailures('user-alice', { limit: 5, cursor });
      expect(page.items.length).toBeLessThanOrEqual(5);
      revisions.push(...page.items.map((failure) => failure.revision));
      cursor = page.nextCursor;
    } while (cursor);
    expect(revisions.map(Number)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 5, 4, 3]);
    expect(await bed.rows("SELECT COUNT(*) AS n FROM login_failures WHERE user_id = 'user-alice'")).toEqual([
      { n: 12 },
    ]);
  });

  it('a failed signature attempt is kept for review', async () => {
    await bed.givenAt('2026-03-04T06:30:00.000Z', {
      type: 'SignatureAttemptFailed',
      data: { userId: 'user-bob', meaning: 'release', reason: 'wrong-password' },
    });
    expect(await bed.readModel.signatureFailures('user-bob', { limit: 10 })).toEqual({
      items: [
        {
          userId: 'user-bob',
          revision: '1',
          at: '2026-03-04T06:30:00.000Z',
          meaning: 'release',
          reason: 'wrong-password',
        },
      ],
      nextCursor: null,
    });
    expect(await bed.readModel.userById('user-bob')).toMatchObject({ revision: '1', lockedUntil: null });
  });
});
