import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from '../catalog/calendar';
import { requireId, requireInstant } from '../catalog/field-validation';

/**
 * One login name, one person (Part 11 §11.100). A user stream cannot see the others, so each
 * username gets a stream of its own; appending `UsernameClaimed` with the expected revision decides
 * races. The handler claims before `RegisterUser`. Deactivation keeps the claim: names, like ids,
 * are never reused, so an old signature's signer stays unambiguous.
 */

const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;

/** `Anne.Jensen ` and `anne.jensen` are one login. */
export function normaliseUsername(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase();
}

export function requireUsername(value: unknown, field = 'username'): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw ruleViolated('FIELD_REQUIRED', `${field} is required`, { field });
  }
  const username = normaliseUsername(value);
  if (!USERNAME_PATTERN.test(username)) {
    throw ruleViolated('INVALID_USERNAME', `${field} must be 3–64 characters of a–z, 0–9, '.', '_' and '-'`, {
      field,
      value,
    });
  }
  return username;
}

/** encodeURIComponent keeps the stream name reversible even if the allowed characters ever widen. */
export const usernameClaimStreamName = (username: string) =>
  `identity.usernameClaim-${encodeURIComponent(normaliseUsername(username))}`;

// Commands

export interface ClaimUsername {
  type: 'ClaimUsername';
  username: string;
  userId: string;
  at: IsoInstant;
}

/** Only to undo a claim whose registration failed; deactivation never releases a name. */
export interface ReleaseUsername {
  type: 'ReleaseUsername';
  username: string;
  userId: string;
  at: IsoInstant;
}

export type UsernameClaimCommand = ClaimUsername | ReleaseUsername;

// Events

export interface UsernameClaimData {
  /** Normalised. */
  username: string;
  userId: string;
}

export type UsernameClaimed = DomainEvent<'UsernameClaimed', UsernameClaimData>;
export type UsernameReleased = DomainEvent<'UsernameReleased', UsernameClaimData>;
export type UsernameClaimEvent = UsernameClaimed | UsernameReleased;

// State

export interface UsernameClaimState {
  username: string | null;
  /** Null while nobody holds the name (never claimed, or released). */
  userId: string | null;
}

const initialState = (): UsernameClaimState => ({ username: null, userId: null });

function evolve(state: UsernameClaimState, event: UsernameClaimEvent): UsernameClaimState {
  switch (event.type) {
    case 'UsernameClaimed':
      return { username: event.data.username, userId: event.data.userId };
    case 'UsernameReleased':
      return { ...state, userId: null };
  }
}

function decide(command: UsernameClaimCommand, state: UsernameClaimState): UsernameClaimEvent[] {
  requireInstant(command.at);
  const data: UsernameClaimData = {
    username: requireUsername(command.username),
    userId: requireId(command.userId, 'userId'),
  };
  switch (command.type) {
    case 'ClaimUsername':
      if (state.userId === data.userId) return [];
      if (state.userId !== null) {
        throw conflict('USERNAME_TAKEN', `The username ${data.username} is already in use`, {
          field: 'username',
          username: data.username,
        });
      }
      return [{ type: 'UsernameClaimed', data }];
    case 'ReleaseUsername':
      if (state.userId === null) return [];
      if (state.userId !== data.userId) {
        throw conflict('USERNAME_NOT_OWNED', `The username ${data.username} is held by another user`, {
          field: 'userId',
          username: data.username,
        });
      }
      return [{ type: 'UsernameReleased', data }];
  }
}

export const usernameClaimDecider: Decider<UsernameClaimCommand, UsernameClaimEvent, UsernameClaimState> = {
  initialState,
  evolve,
  decide,
};
