import type { ApiTokenIssued, IdentityWebEvent } from './identity-events';
import { openIdentityTestBed, tokenHash, type IdentityTestBed } from './test-support/identity-test-bed';

const issued = (clientId: string, tokenId: string, token: string): ApiTokenIssued => ({
  type: 'ApiTokenIssued',
  data: { clientId, tokenId, name: `${tokenId} for ${clientId}`, tokenHash: tokenHash(token) },
});

const ris: IdentityWebEvent = {
  type: 'ApiClientRegistered',
  data: { clientId: 'client-ris', name: 'Hospital RIS', customerIds: ['cust-herlev', 'cust-rh'] },
};
const booking: IdentityWebEvent = {
  type: 'ApiClientRegistered',
  data: { clientId: 'client-booking', name: 'Booking import', customerIds: [] },
};
/** The RIS's scopes; the booking import was registered before scopes existed (every scope). */
const risScopes: IdentityWebEvent = {
  type: 'ApiClientScopesSet',
  data: { clientId: 'client-ris', scopes: ['bookings', 'orders:read'], previousScopes: null },
};

describe('api clients and their tokens: register, issue, revoke, deactivate', () => {
  let bed: IdentityTestBed;

  beforeAll(async () => {
    bed = await openIdentityTestBed('api_clients');
  });

  afterAll(async () => {
    await bed.close();
  });

  it('an issued token is found by its hash with its client, its customers and its scopes', async () => {
    await bed.givenAt('2026-03-02T07:00:00.000Z', ris, risScopes, booking);
    await bed.givenAt('2026-03-02T07:05:00.000Z', issued('client-ris', 'token-1', 'ris-secret-1'));

    expect(await bed.readModel.apiTokenByHash(tokenHash('ris-secret-1'))).toEqual({
      tokenId: 'token-1',
      tokenName: 'token-1 for client-ris',
      clientId: 'client-ris',
      clientName: 'Hospital RIS',
      clientActive: true,
      customerIds: ['cust-herlev', 'cust-rh'],
      scopes: ['bookings', 'orders:read'],
      revokedAt: null,
    });
    expect(await bed.readModel.apiTokenByHash(tokenHash('ris-secret-2'))).toBeNull();
  });

  it('a revoked token is still found, with its revocation; the other tokens stay valid', async () => {
    // Token ids are the client's own: the same id under two clients is two tokens.
    await bed.givenAt(
      '2026-03-02T08:00:00.000Z',
      issued('client-ris', 'token-2', 'ris-secret-2'),
      issued('client-booking', 'token-1', 'booking-1'),
    );
    await bed.givenAt('2026-03-03T12:00:00.000Z', {
      type: 'ApiTokenRevoked',
      data: { clientId: 'client-ris', tokenId: 'token-1' },
    });

    expect(await bed.readModel.apiTokenByHash(tokenHash('ris-secret-1'))).toMatchObject({
      revokedAt: '2026-03-03T12:00:00.000Z',
    });
    expect(await bed.readModel.apiTokenByHash(tokenHash('ris-secret-2'))).toMatchObject({ revokedAt: null });
    expect(await bed.readModel.apiTokenByHash(tokenHash('booking-1'))).toMatchObject({
      clientId: 'client-booking',
      tokenId: 'token-1',
      scopes: null,
      revokedAt: null,
    });
  });

  it('lists clients by name with their tokens, never a hash', async () => {
    const page = await bed.readModel.listApiClients({ limit: 10 });
    expect(page).toEqual({
      items: [
        {
          id: 'client-booking',
          name: 'Booking import',
          active: true,
          customerIds: [],
          scopes: null,
          deactivatedAt: null,
          tokens: [
            { tokenId: 'token-1', name: 'token-1 for client-booking', issuedAt: expect.any(String), revokedAt: null },
          ],
          createdAt: '2026-03-02T07:00:00.000Z',
          updatedAt: expect.any(String),
          revision: '1',
        },
        {
          id: 'client-ris',
          name: 'Hospital RIS',
          active: true,
          customerIds: ['cust-herlev', 'cust-rh'],
          scopes: ['bookings', 'orders:read'],
          deactivatedAt: null,
          tokens: [
            {
              tokenId: 'token-1',
              name: 'token-1 for client-ris',
              issuedAt: '2026-03-02T07:05:00.000Z',
              revokedAt: '2026-03-03T12:00:00.000Z',
            },
            {
              tokenId: 'token-2',
              name: 'token-2 for client-ris',
              issuedAt: '2026-03-02T08:00:00.000Z',
              revokedAt: null,
            },
          ],
          createdAt: '2026-03-02T07:00:00.000Z',
          updatedAt: '2026-03-03T12:00:00.000Z',
          revision: '4',
        },
      ],
      nextCursor: null,
    });
    expect(JSON.stringify(page)).not.toContain(tokenHash('ris-secret-2'));
    const first = await bed.readModel.listApiClients({ limit: 1 });
    expect(first.items.map((client) => client.id)).toEqual(['client-booking']);
    const second = await bed.readModel.listApiClients({ limit: 1, cursor: first.nextCursor });
    expect(second).toMatchObject({ items: [{ id: 'client-ris' }], nextCursor: null });
  });

  it('a deactivated client keeps its tokens, which now answer with the client inactive', async () => {
    await bed.givenAt('2026-03-04T07:00:00.000Z', { type: 'ApiClientDeactivated', data: { clientId: 'client-ris' } });

    expect(await bed.readModel.apiTokenByHash(tokenHash('ris-secret-2'))).toMatchObject({
      clientActive: false,
      revokedAt: null,
    });
    expect((await bed.readModel.listApiClients({ limit: 10 })).items.map((client) => client.id)).toEqual([
      'client-booking',
    ]);
    expect(await bed.readModel.listApiClients({ limit: 10, status: 'deactivated' })).toMatchObject({
      items: [{ id: 'client-ris', active: false, deactivatedAt: '2026-03-04T07:00:00.000Z', revision: '5' }],
    });
    expect(await bed.readModel.getApiClient('client-ris')).toMatchObject({ active: false, tokens: [{}, {}] });
    expect(await bed.readModel.getApiClient('client-none')).toBeNull();
  });
});
