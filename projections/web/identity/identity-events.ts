/**
 * The identity events as `web.identity` reads them: the fixed contract the identity domain
 * (`libs/domain/identity`) writes. Declared here so the projection builds without the domain; the
 * shapes must stay equal to the domain's, and a change of shape is a new schema version.
 */

/** Every role a user can hold; a role outside this list stops the projection (a newer domain). */
export const identityRoles = [
  'admin',
  'production',
  'releaser',
  'shop-admin',
  'shop',
  'location-owner',
  'auditor',
] as const;
export type IdentityRole = (typeof identityRoles)[number];

export interface FieldChange<T> {
  from: T;
  to: T;
}

// User stream: `identity.user-<userId>`.

/** How a person's identity was checked at registration (Part 11 §11.100); absent from earlier registrations. */
export interface IdentityVerification {
  method: string;
  reference: string;
  verifiedBy: string;
}

export interface UserRegistered {
  type: 'UserRegistered';
  data: {
    userId: string;
    username: string;
    printedName: string;
    emails: string[];
    identityVerification?: IdentityVerification;
  };
}

export interface UserDetailsChanged {
  type: 'UserDetailsChanged';
  data: {
    userId: string;
    changes: { printedName?: FieldChange<string>; emails?: FieldChange<string[]> };
  };
}

/** Granting a role the user holds replaces its scope. */
export interface RoleGranted {
  type: 'RoleGranted';
  data: { userId: string; role: IdentityRole; customerIds: string[]; locationIds: string[] };
}

export interface RoleRevoked {
  type: 'RoleRevoked';
  data: { userId: string; role: IdentityRole };
}

/** A grant of a right the user holds replaces it. `expiresOn`: `YYYY-MM-DD`, null for no end. */
export interface ReleaseRightGranted {
  type: 'ReleaseRightGranted';
  data: { userId: string; tracerId: string; expiresOn: string | null; grantedBy: string };
}

export interface ReleaseRightRevoked {
  type: 'ReleaseRightRevoked';
  data: { userId: string; tracerId: string };
}

export interface PasswordSet {
  type: 'PasswordSet';
  data: { userId: string; passwordHash: string; setBy: string; mustChange: boolean };
}

/**
 * A temporary password one person chose for another, waiting for a second person. `expiresAt`: ISO
 * instant; the reason is in the envelope; `passwordHash` is the chosen password's, not yet in force.
 */
export interface PasswordResetRequested {
  type: 'PasswordResetRequested';
  data: { userId: string; requestId: string; requestedBy: string; passwordHash: string; expiresAt: string };
}

/** The `PasswordSet` it confirms follows it. */
export interface PasswordResetConfirmed {
  type: 'PasswordResetConfirmed';
  data: { userId: string; requestId: string; requestedBy: string; confirmedBy: string; withoutSecondPerson: boolean };
}

/** The reason is in the envelope. */
export interface PasswordResetWithdrawn {
  type: 'PasswordResetWithdrawn';
  data: { userId: string; requestId: string; withdrawnBy: string };
}

export interface PasswordResetExpired {
  type: 'PasswordResetExpired';
  data: { userId: string; requestId: string; expiresAt: string };
}

/** The domain ends the user's open sessions with `SessionEnded` events of its own. */
export interface UserDeactivated {
  type: 'UserDeactivated';
  data: { userId: string };
}

export interface LoginFailed {
  type: 'LoginFailed';
  data: { userId: string; reason: string; remoteAddress: string | null; failuresInWindow: number };
}

/** `until`: ISO instant. */
export interface UserLockedOut {
  type: 'UserLockedOut';
  data: { userId: string; until: string };
}

/** `expiresAt`: ISO instant; `tokenHash`: the hash of the session token, never the token. */
export interface SessionStarted {
  type: 'SessionStarted';
  data: {
    userId: string;
    sessionId: string;
    tokenHash: string;
    expiresAt: string;
    idleTimeoutSeconds: number;
    remoteAddress: string | null;
  };
}

export interface SessionEnded {
  type: 'SessionEnded';
  data: { userId: string; sessionId: string; reason: string };
}

export interface SignatureAttemptFailed {
  type: 'SignatureAttemptFailed';
  data: { userId: string; meaning: string; reason: string };
}

export type UserEvent =
  | UserRegistered
  | UserDetailsChanged
  | RoleGranted
  | RoleRevoked
  | ReleaseRightGranted
  | ReleaseRightRevoked
  | PasswordSet
  | PasswordResetRequested
  | PasswordResetConfirmed
  | PasswordResetWithdrawn
  | PasswordResetExpired
  | UserDeactivated
  | LoginFailed
  | UserLockedOut
  | SessionStarted
  | SessionEnded
  | SignatureAttemptFailed;

// ApiClient stream: `identity.apiClient-<clientId>`.

export interface ApiClientRegistered {
  type: 'ApiClientRegistered';
  data: { clientId: string; name: string; customerIds: string[] };
}

export interface ApiClientScopesSet {
  type: 'ApiClientScopesSet';
  data: { clientId: string; scopes: string[]; previousScopes: string[] | null };
}

export interface ApiTokenIssued {
  type: 'ApiTokenIssued';
  data: { clientId: string; tokenId: string; name: string; tokenHash: string };
}

export interface ApiTokenRevoked {
  type: 'ApiTokenRevoked';
  data: { clientId: string; tokenId: string };
}

export interface ApiClientDeactivated {
  type: 'ApiClientDeactivated';
  data: { clientId: string };
}

export type ApiClientEvent =
  ApiClientRegistered | ApiClientScopesSet | ApiTokenIssued | ApiTokenRevoked | ApiClientDeactivated;

// ServiceEndpoint stream: `identity.serviceEndpoint-<endpointId>`.

export interface ServiceEndpointDetails {
  name: string;
  host: string;
  port: number;
  protocol: string;
}

export interface ServiceEndpointRegistered {
  type: 'ServiceEndpointRegistered';
  data: { endpointId: string } & ServiceEndpointDetails;
}

export interface ServiceEndpointChanged {
  type: 'ServiceEndpointChanged';
  data: {
    endpointId: string;
    changes: { [K in keyof ServiceEndpointDetails]?: FieldChange<ServiceEndpointDetails[K]> };
  };
}

export interface ServiceEndpointArchived {
  type: 'ServiceEndpointArchived';
  data: { endpointId: string };
}

export type ServiceEndpointEvent = ServiceEndpointRegistered | ServiceEndpointChanged | ServiceEndpointArchived;

/** Every identity event the web database stores. Username claims only guard uniqueness on the command side. */
export type IdentityWebEvent = UserEvent | ApiClientEvent | ServiceEndpointEvent;
export type IdentityWebEventType = IdentityWebEvent['type'];

/** Schema version of each event as this projection reads it; another version stops the projection. */
export const identityEventSchemaVersions: Readonly<Record<IdentityWebEventType, number>> = {
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
  ApiClientRegistered: 1,
  ApiClientScopesSet: 1,
  ApiTokenIssued: 1,
  ApiTokenRevoked: 1,
  ApiClientDeactivated: 1,
  ServiceEndpointRegistered: 1,
  ServiceEndpointChanged: 1,
  ServiceEndpointArchived: 1,
};

export const identityWebEventTypes = Object.keys(identityEventSchemaVersions) as IdentityWebEventType[];
