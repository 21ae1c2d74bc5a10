import { conflict, notFound, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from '../catalog/calendar';
import { sameValue } from '../catalog/field-changes';
import { requireId, requireInstant, requireReason, requireText } from '../catalog/field-validation';
import { requireHash, requireIdSet } from './identity-validation';

/**
 * A machine client of the API (a hospital system ordering for its customers, a dispenser). It
 * authenticates with bearer tokens; only their hashes are stored, so a token is shown once, at issue.
 * Clients are deactivated, never deleted: their writes stay attributable (Annex 11 §12.4).
 */
export const apiClientStreamName = (clientId: string) => `identity.apiClient-${clientId}`;

const NAME_MAX = 100;

/**
 * What a client's tokens may do, each a part of the API: record vials (the dispenser), import
 * bookings (the hospital worklist), read orders (and follow their customers' topics), read the
 * catalogue. A client has only the scopes it was given (least privilege); a client registered
 * before scopes existed has every one until its scopes are set.
 */
export const apiScopes = ['vials', 'bookings', 'orders:read', 'catalog:read'] as const;
export type ApiScope = (typeof apiScopes)[number];

export interface ApiToken {
  tokenId: string;
  name: string;
  tokenHash: string;
  revoked: boolean;
}

export interface ApiClient {
  clientId: string;
  name: string;
  /** The customers the client may act for; empty for production-side clients. */
  customerIds: string[];
  /** By token id; revoked tokens stay so their ids are never issued again. */
  tokens: Readonly<Record<string, ApiToken>>;
  /** Null for a client registered before scopes existed: every scope. */
  scopes: ApiScope[] | null;
}

export type ApiClientState =
  { status: 'absent' } | (ApiClient & { status: 'active' }) | (ApiClient & { status: 'deactivated' });

// Commands

export interface RegisterApiClient {
  type: 'RegisterApiClient';
  clientId: string;
  name: string;
  customerIds?: string[];
  scopes: ApiScope[];
  at: IsoInstant;
}

/** The reason goes into the envelope. */
export interface SetApiClientScopes {
  type: 'SetApiClientScopes';
  clientId: string;
  scopes: ApiScope[];
  reason: string;
  at: IsoInstant;
}

export interface IssueApiToken {
  type: 'IssueApiToken';
  clientId: string;
  /** Random, chosen by the handler with the token; the token itself never reaches the domain. */
  tokenId: string;
  name: string;
  tokenHash: string;
  at: IsoInstant;
}

/** The reason goes into the envelope. */
export interface RevokeApiToken {
  type: 'RevokeApiToken';
  clientId: string;
  tokenId: string;
  reason: string;
  at: IsoInstant;
}

export interface DeactivateApiClient {
  type: 'DeactivateApiClient';
  clientId: string;
  reason: string;
  at: IsoInstant;
}

export type ApiClientCommand =
  RegisterApiClient | SetApiClientScopes | IssueApiToken | RevokeApiToken | DeactivateApiClient;

// Events

export interface ApiClientRegisteredData {
  clientId: string;
  name: string;
  customerIds: string[];
}
export interface ApiTokenIssuedData {
  clientId: string;
  tokenId: string;
  name: string;
  tokenHash: string;
}
export interface ApiTokenRevokedData {
  clientId: string;
  tokenId: string;
}
export interface ApiClientDeactivatedData {
  clientId: string;
}
export interface ApiClientScopesSetData {
  clientId: string;
  scopes: ApiScope[];
  /** Before: null at registration, and for a client registered before scopes existed (every scope). */
  previousScopes: ApiScope[] | null;
}

export type ApiClientRegistered = DomainEvent<'ApiClientRegistered', ApiClientRegisteredData>;
export type ApiTokenIssued = DomainEvent<'ApiTokenIssued', ApiTokenIssuedData>;
export type ApiTokenRevoked = DomainEvent<'ApiTokenRevoked', ApiTokenRevokedData>;
export type ApiClientDeactivated = DomainEvent<'ApiClientDeactivated', ApiClientDeactivatedData>;
export type ApiClientScopesSet = DomainEvent<'ApiClientScopesSet', ApiClientScopesSetData>;
export type ApiClientEvent =
  ApiClientRegistered | ApiClientScopesSet | ApiTokenIssued | ApiTokenRevoked | ApiClientDeactivated;

/** Whether a client with these scopes (null: registered before scopes, every one) has `scope`. */
export const grantsScope = (scopes: readonly ApiScope[] | null, scope: ApiScope): boolean =>
  scopes === null || scopes.includes(scope);

/** Known, at least one, each once, in the order of `apiScopes`. */
function requireScopes(scopes: unknown): ApiScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw ruleViolated('FIELD_REQUIRED', 'Give the client at least one scope', { field: 'scopes', allowed: apiScopes });
  }
  const unknown = scopes.filter((scope) => !apiScopes.includes(scope as ApiScope));
  if (unknown.length > 0) {
    throw ruleViolated('INVALID_SCOPE', `Unknown scope ${String(unknown[0])}`, { field: 'scopes', allowed: apiScopes });
  }
  return apiScopes.filter((scope) => scopes.includes(scope));
}

/** The tokens a request may still authenticate with. */
export function activeApiTokens(state: ApiClientState): ApiToken[] {
  if (state.status !== 'active') return [];
  return Object.values(state.tokens).filter((token) => !token.revoked);
}

// Rules

function requireActiveClient(state: ApiClientState, clientId: string): ApiClient & { status: 'active' } {
  if (state.status === 'absent') {
    throw notFound('API_CLIENT_NOT_FOUND', `The API client ${clientId} does not exist`, { id: clientId });
  }
  if (state.status === 'deactivated') {
    throw ruleViolated('API_CLIENT_DEACTIVATED', `The API client ${clientId} is deactivated`, { id: clientId });
  }
  return state;
}

const tokenOf = (client: ApiClient, tokenId: string): ApiToken | undefined =>
  Object.hasOwn(client.tokens, tokenId) ? client.tokens[tokenId] : undefined;

// Decider

const initialState = (): ApiClientState => ({ status: 'absent' });

function evolve(state: ApiClientState, event: ApiClientEvent): ApiClientState {
  if (event.type === 'ApiClientRegistered') return { status: 'active', ...event.data, tokens: {}, scopes: null };
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ApiClientScopesSet':
      return { ...state, scopes: event.data.scopes };
    case 'ApiTokenIssued': {
      const { tokenId, name, tokenHash } = event.data;
      return { ...state, tokens: { ...state.tokens, [tokenId]: { tokenId, name, tokenHash, revoked: false } } };
    }
    case 'ApiTokenRevoked': {
      const token = tokenOf(state, event.data.tokenId);
      return token ? { ...state, tokens: { ...state.tokens, [token.tokenId]: { ...token, revoked: true } } } : state;
    }
    case 'ApiClientDeactivated':
      return { ...state, status: 'deactivated' };
  }
}

function decide(command: ApiClientCommand, state: ApiClientState): ApiClientEvent[] {
  requireInstant(command.at);
  const clientId = requireId(command.clientId, 'clientId');
  switch (command.type) {
    case 'RegisterApiClient': {
      const details = {
        name: requireText(command.name, 'name', NAME_MAX),
        customerIds: requireIdSet(command.customerIds, 'customerIds'),
      };
      const scopes = requireScopes(command.scopes);
      if (state.status === 'absent') {
        return [
          { type: 'ApiClientRegistered', data: { clientId, ...details } },
          { type: 'ApiClientScopesSet', data: { clientId, scopes, previousScopes: null } },
        ];
      }
      if (
        sameValue({ name: state.name, customerIds: state.customerIds, scopes: state.scopes }, { ...details, scopes })
      ) {
        return [];
      }
      throw conflict('ALREADY_EXISTS', `A different API client with id ${clientId} already exists`, {
        entity: 'API_CLIENT',
        id: clientId,
      });
    }
    case 'SetApiClientScopes': {
      const scopes = requireScopes(command.scopes);
      requireReason(command.reason);
      const client = requireActiveClient(state, clientId);
      if (client.scopes !== null && sameValue(client.scopes, scopes)) return [];
      return [{ type: 'ApiClientScopesSet', data: { clientId, scopes, previousScopes: client.scopes } }];
    }
    case 'IssueApiToken': {
      const tokenId = requireId(command.tokenId, 'tokenId');
      const name = requireText(command.name, 'name', NAME_MAX);
      const tokenHash = requireHash(command.tokenHash, 'tokenHash');
      const client = requireActiveClient(state, clientId);
      const existing = tokenOf(client, tokenId);
      if (existing) {
        if (!existing.revoked && existing.name === name && existing.tokenHash === tokenHash) return [];
        throw conflict('API_TOKEN_EXISTS', `A token with id ${tokenId} was issued before`, { field: 'tokenId' });
      }
      return [{ type: 'ApiTokenIssued', data: { clientId, tokenId, name, tokenHash } }];
    }
    case 'RevokeApiToken': {
      const tokenId = requireId(command.tokenId, 'tokenId');
      requireReason(command.reason);
      const token = tokenOf(requireActiveClient(state, clientId), tokenId);
      if (!token) {
        throw notFound('API_TOKEN_NOT_FOUND', `The API client ${clientId} has no token ${tokenId}`, {
          field: 'tokenId',
          id: tokenId,
        });
      }
      return token.revoked ? [] : [{ type: 'ApiTokenRevoked', data: { clientId, tokenId } }];
    }
    case 'DeactivateApiClient': {
      requireReason(command.reason);
      if (state.status === 'absent') {
        throw notFound('API_CLIENT_NOT_FOUND', `The API client ${clientId} does not exist`, { id: clientId });
      }
      if (state.status === 'deactivated') return [];
      // Each token's end is an event of its own, so token read models need no rule about deactivation.
      const revocations: ApiClientEvent[] = activeApiTokens(state).map((token) => ({
        type: 'ApiTokenRevoked',
        data: { clientId, tokenId: token.tokenId },
      }));
      return [{ type: 'ApiClientDeactivated', data: { clientId } }, ...revocations];
    }
  }
}

export const apiClientDecider: Decider<ApiClientCommand, ApiClientEvent, ApiClientState> = {
  initialState,
  evolve,
  decide,
};
