import { REDACTED, redactSecretFields, redactSecrets } from './secret-fields';

describe('secret fields of identity events', () => {
  it('given a password set, then its hash is replaced and named; the rest stays', () => {
    const data = { userId: 'u-1', passwordHash: 'scrypt$16384$abc', setBy: 'admin', mustChange: true };
    expect(redactSecrets('PasswordSet', data)).toEqual({
      data: { userId: 'u-1', passwordHash: REDACTED, setBy: 'admin', mustChange: true },
      redacted: ['passwordHash'],
    });
    // The stored event is not touched
    expect(data.passwordHash).toBe('scrypt$16384$abc');
  });

  it('given a password reset waiting for its second person, then the chosen password’s hash is replaced', () => {
    const data = { userId: 'u-1', requestId: 'r-1', requestedBy: 'admin', passwordHash: 'scrypt$x', expiresAt: 'z' };
    expect(redactSecrets('PasswordResetRequested', data)).toEqual({
      data: { ...data, passwordHash: REDACTED },
      redacted: ['passwordHash'],
    });
  });

  it('given session and api token events, then their token hashes are replaced', () => {
    expect(redactSecrets('SessionStarted', { sessionId: 's', tokenHash: 'x' }).redacted).toEqual(['tokenHash']);
    expect(redactSecrets('ApiTokenIssued', { tokenId: 't', tokenHash: 'y' }).redacted).toEqual(['tokenHash']);
  });

  it('given any other event, then it is left as it is', () => {
    const data = { orderId: 'o-1', activityMBq: 1000 };
    expect(redactSecrets('OrderPlaced', data)).toEqual({ data, redacted: [] });
  });
});

describe('secret fields in a folded state', () => {
  it('given a user with a password and sessions, then every hash in it is replaced, at any depth', () => {
    const state = {
      userId: 'u-1',
      passwordHash: 'scrypt$x',
      sessions: { s1: { sessionId: 's1', tokenHash: 'h1' } },
      roles: [{ role: 'shop' }],
    };
    expect(redactSecretFields(state)).toEqual({
      userId: 'u-1',
      passwordHash: REDACTED,
      sessions: { s1: { sessionId: 's1', tokenHash: REDACTED } },
      roles: [{ role: 'shop' }],
    });
    // No password set: nothing to hide, and null says so
    expect(redactSecretFields({ passwordHash: null })).toEqual({ passwordHash: null });
  });
});
