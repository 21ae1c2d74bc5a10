import { REDACTED, redactSecrets } from './secret-fields';

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

  it('given session and api token events, then their token hashes are replaced', () => {
    expect(redactSecrets('SessionStarted', { sessionId: 's', tokenHash: 'x' }).redacted).toEqual(['tokenHash']);
    expect(redactSecrets('ApiTokenIssued', { tokenId: 't', tokenHash: 'y' }).redacted).toEqual(['tokenHash']);
  });

  it('given any other event, then it is left as it is', () => {
    const data = { orderId: 'o-1', activityMBq: 1000 };
    expect(redactSecrets('OrderPlaced', data)).toEqual({ data, redacted: [] });
  });
});
