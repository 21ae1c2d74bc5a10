import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import {
  activeApiTokens,
  apiClientDecider,
  apiClientStreamName,
  grantsScope,
  type ApiClientRegistered,
  type ApiClientScopesSet,
  type ApiScope,
  type ApiTokenIssued,
  type DeactivateApiClient,
  type IssueApiToken,
  type RegisterApiClient,
  type RevokeApiToken,
} from './api-client';
import { at } from './identity-examples';

const spec = specFor(apiClientDecider);
const registerRis: RegisterApiClient = {
  type: 'RegisterApiClient',
  clientId: 'client-ris',
  name: 'Herlev RIS',
  customerIds: ['cust-herlev'],
  scopes: ['orders:read', 'bookings'],
  at,
};
const risRegistered: ApiClientRegistered = {
  type: 'ApiClientRegistered',
  data: { clientId: 'client-ris', name: 'Herlev RIS', customerIds: ['cust-herlev'] },
};
// Kept in the order of `apiScopes`, whatever the order given.
const risScoped: ApiClientScopesSet = {
  type: 'ApiClientScopesSet',
  data: { clientId: 'client-ris', scopes: ['bookings', 'orders:read'], previousScopes: null },
};
const issue = (tokenId: string): IssueApiToken => ({
  type: 'IssueApiToken',
  clientId: 'client-ris',
  tokenId,
  name: `Token ${tokenId}`,
  tokenHash: `sha256:${tokenId}`,
  at,
});
const issued = (tokenId: string): ApiTokenIssued => ({
  type: 'ApiTokenIssued',
  data: { clientId: 'client-ris', tokenId, name: `Token ${tokenId}`, tokenHash: `sha256:${tokenId}` },
});
const revoke = (tokenId: string): RevokeApiToken => ({
  type: 'RevokeApiToken',
  clientId: 'client-ris',
  tokenId,
  reason: 'Rotated',
  at,
});
const revoked = (tokenId: string) => ({ type: 'ApiTokenRevoked', data: { clientId: 'client-ris', tokenId } }) as const;
const deactivate: DeactivateApiClient = { type: 'DeactivateApiClient', clientId: 'client-ris', reason: 'Replaced', at };
const deactivated = { type: 'ApiClientDeactivated', data: { clientId: 'client-ris' } } as const;

describe('ApiClient', () => {
  it('lives in the stream identity.apiClient-<id>', () => {
    expect(apiClientStreamName('client-ris')).toBe('identity.apiClient-client-ris');
  });

  describe('RegisterApiClient', () => {
    it('registers a client for its customers, with what its tokens may do', () => {
      spec.given([]).when(registerRis).then([risRegistered, risScoped]);
    });

    it('allows a client acting for no customer, such as a production system', () => {
      spec
        .given([])
        .when({ type: 'RegisterApiClient', clientId: 'client-dispenser', name: 'Dispenser', scopes: ['vials'], at })
        .then([
          { type: 'ApiClientRegistered', data: { clientId: 'client-dispenser', name: 'Dispenser', customerIds: [] } },
          {
            type: 'ApiClientScopesSet',
            data: { clientId: 'client-dispenser', scopes: ['vials'], previousScopes: null },
          },
        ]);
    });

    it('needs at least one scope, each a known one', () => {
      spec
        .given([])
        .when({ ...registerRis, scopes: [] })
        .thenThrows('FIELD_REQUIRED', { field: 'scopes' });
      spec
        .given([])
        .when({ ...registerRis, scopes: ['orders:write' as ApiScope] })
        .thenThrows('INVALID_SCOPE', { field: 'scopes' });
    });

    it('requires a name', () => {
      spec
        .given([])
        .when({ ...registerRis, name: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'name' });
    });

    it('is idempotent, and refuses a different client under an existing id', () => {
      spec.given([risRegistered, risScoped]).when(registerRis).thenNothing();
      spec
        .given([risRegistered])
        .when({ ...registerRis, name: 'Glostrup RIS' })
        .thenThrows('ALREADY_EXISTS', { entity: 'API_CLIENT' });
    });
  });

  describe('SetApiClientScopes', () => {
    const setScopes = (scopes: ApiScope[], reason = 'The worklist feed moved to its own client') => ({
      type: 'SetApiClientScopes' as const,
      clientId: 'client-ris',
      scopes,
      reason,
      at,
    });

    it('records the new scopes with the old ones, and the client then has only those', () => {
      spec
        .given([risRegistered, risScoped])
        .when(setScopes(['orders:read']))
        .then([
          {
            type: 'ApiClientScopesSet',
            data: { clientId: 'client-ris', scopes: ['orders:read'], previousScopes: ['bookings', 'orders:read'] },
          },
        ]);
      spec
        .given([risRegistered, risScoped])
        .when(setScopes(['orders:read', 'bookings']))
        .thenNothing();
    });

    it('given a client registered before scopes (every scope), then its first scopes are recorded against that', () => {
      const state = fold(apiClientDecider, [risRegistered]);
      expect(state).toMatchObject({ scopes: null });
      expect(grantsScope(null, 'vials')).toBe(true);
      spec
        .given([risRegistered])
        .when(setScopes(['orders:read', 'bookings']))
        .then([{ ...risScoped, data: { ...risScoped.data, previousScopes: null } }]);
    });

    it('needs a reason and an active client', () => {
      spec
        .given([risRegistered, risScoped])
        .when(setScopes(['orders:read'], ''))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec
        .given([risRegistered, risScoped, deactivated])
        .when(setScopes(['orders:read']))
        .thenThrows('API_CLIENT_DEACTIVATED');
    });
  });

  describe('IssueApiToken', () => {
    it('stores the token hash under its id', () => {
      spec
        .given([risRegistered])
        .when(issue('tok-1'))
        .then([issued('tok-1')]);
      expect(activeApiTokens(fold(apiClientDecider, [risRegistered, issued('tok-1')]))).toEqual([
        { tokenId: 'tok-1', name: 'Token tok-1', tokenHash: 'sha256:tok-1', revoked: false },
      ]);
    });

    it('is idempotent for the same token, and never issues an id twice', () => {
      spec
        .given([risRegistered, issued('tok-1')])
        .when(issue('tok-1'))
        .thenNothing();
      spec
        .given([risRegistered, issued('tok-1')])
        .when({ ...issue('tok-1'), tokenHash: 'sha256:other' })
        .thenThrows('API_TOKEN_EXISTS', { field: 'tokenId' });
      spec
        .given([risRegistered, issued('tok-1'), revoked('tok-1')])
        .when(issue('tok-1'))
        .thenThrows('API_TOKEN_EXISTS');
    });

    it('requires a token hash, never a token', () => {
      spec
        .given([risRegistered])
        .when({ ...issue('tok-1'), tokenHash: 'secret token' })
        .thenThrows('INVALID_HASH', { field: 'tokenHash' });
    });

    it('fails for an unknown or deactivated client', () => {
      spec.given([]).when(issue('tok-1')).thenThrows('API_CLIENT_NOT_FOUND');
      spec.given([risRegistered, deactivated]).when(issue('tok-1')).thenThrows('API_CLIENT_DEACTIVATED');
    });
  });

  describe('RevokeApiToken', () => {
    it('revokes a token, with a reason', () => {
      spec
        .given([risRegistered, issued('tok-1')])
        .when(revoke('tok-1'))
        .then([revoked('tok-1')]);
      spec
        .given([risRegistered, issued('tok-1')])
        .when({ ...revoke('tok-1'), reason: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('revoking a revoked token changes nothing', () => {
      spec
        .given([risRegistered, issued('tok-1'), revoked('tok-1')])
        .when(revoke('tok-1'))
        .thenNothing();
    });

    it('fails for a token never issued', () => {
      spec.given([risRegistered]).when(revoke('tok-9')).thenThrows('API_TOKEN_NOT_FOUND', { field: 'tokenId' });
    });
  });

  describe('DeactivateApiClient', () => {
    it('deactivates the client and revokes each active token in the same decision', () => {
      spec
        .given([risRegistered, issued('tok-1'), issued('tok-2'), revoked('tok-1'), issued('tok-3')])
        .when(deactivate)
        .then([deactivated, revoked('tok-2'), revoked('tok-3')]);
    });

    it('leaves no token to authenticate with', () => {
      const state = fold(apiClientDecider, [risRegistered, issued('tok-1'), deactivated, revoked('tok-1')]);
      expect(activeApiTokens(state)).toEqual([]);
      expect(state.status).toBe('deactivated');
    });

    it('deactivating twice changes nothing', () => {
      spec.given([risRegistered, deactivated]).when(deactivate).thenNothing();
    });

    it('requires a reason and an existing client', () => {
      spec
        .given([risRegistered])
        .when({ ...deactivate, reason: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec.given([]).when(deactivate).thenThrows('API_CLIENT_NOT_FOUND');
    });
  });
});
