import type { SessionStarted } from './identity-events';
import { examples, openIdentityTestBed, tokenHash, type IdentityTestBed } from './test-support/identity-test-bed';

const started = (sessionId: string, token: string, remoteAddress: string | null = '10.0.0.7'): SessionStarted => ({
  type: 'SessionStarted',
  data: {
    userId: 'user-alice',
    sessionId,
    tokenHash: tokenHash(token),
    expiresAt: '2026-03-02T19:00:00.000Z',
    idleTimeoutSeconds: 1800,
    remoteAddress,
  },
});

describe('login sessions: start and end', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('sessions');
    await bed.given(examples.aliceRegistered);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('a started session is found by its token hash, open', async () => {
    await bed.givenAt('2026-03-02T07:00:00.000Z', started('session-1', 'token-one'));

    expect(await bed.readModel.sessionByTokenHash(tokenHash('token-one'))).toEqual({
      id: 'session-1',
      userId: 'user-alice',
      startedAt: '2026-03-02T07:00:00.000Z',
      expiresAt: '2026-03-02T19:00:00.000Z',
      idleTimeoutSeconds: 1800,
      endedAt: null,
    });
    expect(await bed.readModel.sessionByTokenHash(tokenHash('token-other'))).toBeNull();
    expect(await bed.readModel.sessionByTokenHash(tokenHash('token-one').toUpperCase())).toBeNull();
    expect(await bed.rows('SELECT remote_address, token_hash FROM login_sessions')).toEqual([
      { remote_address: '10.0.0.7', token_hash: tokenHash('token-one') },
    ]);
  });

  it('a logout ends the session with its reason', async () => {
    await bed.givenAt('2026-03-02T08:00:00.000Z', started('session-2', 'token-two', null));
    await bed.givenAt('2026-03-02T08:10:00.000Z', {
      type: 'SessionEnded',
      data: { userId: 'user-alice', sessionId: 'session-2', reason: 'logout' },
    });

    expect(await bed.readModel.sessionByTokenHash(tokenHash('token-two'))).toMatchObject({
      id: 'session-2',
      endedAt: '2026-03-02T08:10:00.000Z',
    });
    expect(await bed.rows("SELECT end_reason, remote_address FROM login_sessions WHERE id = 'session-2'")).toEqual([
      { end_reason: 'logout', remote_address: null },
    ]);
    expect(await bed.readModel.sessionByTokenHash(tokenHash('token-one'))).toMatchObject({ endedAt: null });
  });

  it('a password change is followed by the end of every open session', async () => {
    await bed.givenAt('2026-03-02T09:00:00.000Z', started('session-3', 'token-three'));
    await bed.givenAt(
      '2026-03-02T10:00:00.000Z',
      {
        type: 'PasswordSet',
        data: { userId: 'user-alice', passwordHash: '$argon2id$new', setBy: 'user-alice', mustChange: false },
      },
      { type: 'SessionEnded', data: { userId: 'user-alice', sessionId: 'session-1', reason: 'password-changed' } },
      { type: 'SessionEnded', data: { userId: 'user-alice', sessionId: 'session-3', reason: 'password-changed' } },
    );

    for (const token of ['token-one', 'token-three']) {
      expect(await bed.readModel.sessionByTokenHash(tokenHash(token))).toMatchObject({
        endedAt: '2026-03-02T10:00:00.000Z',
      });
    }
    expect(await bed.rows('SELECT id, end_reason FROM login_sessions WHERE ended_at IS NOT NULL ORDER BY id')).toEqual([
      { id: 'session-1', end_reason: 'password-changed' },
      { id: 'session-2', end_reason: 'logout' },
      { id: 'session-3', end_reason: 'password-changed' },
    ]);
    expect(await bed.readModel.userById('user-alice')).toMatchObject({ passwordHash: '$argon2id$new', revision: '7' });
  });

  it('a deactivation is followed by the end of the open sessions', async () => {
    await bed.givenAt('2026-03-03T07:00:00.000Z', started('session-4', 'token-four'));
    await bed.givenAt(
      '2026-03-03T07:30:00.000Z',
      { type: 'UserDeactivated', data: { userId: 'user-alice' } },
      { type: 'SessionEnded', data: { userId: 'user-alice', sessionId: 'session-4', reason: 'user-deactivated' } },
    );
    expect(await bed.readModel.sessionByTokenHash(tokenHash('token-four'))).toMatchObject({
      endedAt: '2026-03-03T07:30:00.000Z',
    });
    expect(await bed.rows('SELECT COUNT(*) AS open FROM login_sessions WHERE ended_at IS NULL')).toEqual([{ open: 0 }]);
  });
});
