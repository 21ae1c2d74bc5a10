import { type ApiClientEvent } from './api-client';
import { type ServiceEndpointEvent } from './service-endpoint';
import { type UserEvent } from './user';
import { type UsernameClaimEvent } from './username-claim';

export type IdentityEvent = UserEvent | UsernameClaimEvent | ApiClientEvent | ServiceEndpointEvent;

export type IdentityEventType = IdentityEvent['type'];

/**
 * The schema version written into each event's envelope. Raise a type's number when its data shape
 * changes, and register an upcaster from the old version; stored events are never rewritten.
 * The Record type makes a new event type without a version a compile error.
 */
export const identityEventSchemaVersions: Readonly<Record<IdentityEventType, number>> = {
  UserRegistered: 1,
  UserDetailsChanged: 1,
  RoleGranted: 1,
  RoleRevoked: 1,
  ReleaseRightGranted: 1,
  ReleaseRightRevoked: 1,
  PasswordSet: 1,
  PasswordResetRequested: 1,
  PasswordResetConfirmed: 1,
  PasswordResetWithdrawn: 1,
  PasswordResetExpired: 1,
  UserDeactivated: 1,
  LoginFailed: 1,
  UserLockedOut: 1,
  SessionStarted: 1,
  SessionEnded: 1,
  SignatureAttemptFailed: 1,
  UsernameClaimed: 1,
  UsernameReleased: 1,
  ApiClientRegistered: 1,
  ApiClientScopesSet: 1,
  ApiTokenIssued: 1,
  ApiTokenRevoked: 1,
  ApiClientDeactivated: 1,
  ServiceEndpointRegistered: 1,
  ServiceEndpointChanged: 1,
  ServiceEndpointArchived: 1,
};

export const identityEventTypes = Object.keys(identityEventSchemaVersions) as IdentityEventType[];
