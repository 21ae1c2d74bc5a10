import { conflict, notFound, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type CalendarDate, type IsoInstant } from '../catalog/calendar';
import {
  applyChanges,
  changedFields,
  hasChanges,
  mergeChanges,
  sameValue,
  type FieldChanges,
} from '../catalog/field-changes';
import {
  optionalCalendarDate,
  requireEmails,
  requireId,
  requireInstant,
  requireInteger,
  requireOneOf,
  requireReason,
  requireText,
} from '../catalog/field-validation';
import { requireLegacyId } from '../legacy/legacy-id-block';
import { optionalRemoteAddress, requireHash } from './identity-validation';
import { requireIdentityVerification, type IdentityVerification } from './identity-verification';
import { addSeconds, isBefore, isWithinSecondsBefore } from './instants';
import {
  releaseCapableRoles,
  requireRole,
  roles,
  validRoleGrant,
  type Role,
  type RoleGrant,
  type RoleScope,
} from './roles';
import { requireUsername } from './username-claim';

/**
 * A person who signs in, orders, releases or audits. Users are never deleted and their ids never
 * reused (Part 11 §11.100): deactivation ends their access and keeps their history, so every
 * signature keeps pointing at exactly one person.
 */
export const userStreamName = (userId: string) => `identity.user-${userId}`;

/** Printed on every signature (Part 11 §11.50). */
const PRINTED_NAME_MAX = 100;
const MAX_EMAILS = 10;
/** Bounds the failure times the state keeps; lockout policies are limited to this many failures. */
const MAX_REMEMBERED_FAILURES = 100;
const MAX_SESSION_SECONDS = 30 * 24 * 60 * 60;
const MAX_LOCKOUT_SECONDS = 7 * 24 * 60 * 60;

export const loginFailureReasons = ['bad_password', 'locked', 'deactivated', 'must_change_password'] as const;
export type LoginFailureReason = (typeof loginFailureReasons)[number];

export const sessionEndReasons = ['logout', 'revoked'] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];
/** Ends the domain causes itself, besides those a command asks for. */
export type SessionEndedReason = SessionEndReason | 'password_changed' | 'deactivated';

/**
 * The controlled list of signature meanings, as the event store's signature block spells them
 * (`SignatureMeaning` in libs/event-store/src/envelope.ts); a spec keeps the two equal.
 */
export const signatureMeanings = ['release', 'review', 'approve', 'certify', 'correct'] as const;
export type SignatureMeaning = (typeof signatureMeanings)[number];

/** Why a signing was refused; coded so the incident alert can count them. */
export const signatureFailureReasons = [
  'bad_password',
  'user_mismatch',
  'missing_right',
  'locked',
  'deactivated',
] as const;
export type SignatureFailureReason = (typeof signatureFailureReasons)[number];

export interface UserDetails {
  printedName: string;
  emails: string[];
}

/** The right to release one tracer (tracershop-rules, "Release right"). */
export interface ReleaseRight {
  tracerId: string;
  /** Last day the right is valid, inclusive; null never expires. */
  expiresOn: CalendarDate | null;
  grantedBy: string;
}

/**
 * How long an administrator's password reset waits for a second person's confirmation. A day: long
 * enough to find a second administrator or the operator, short enough that a forgotten request
 * does not stand ready to be confirmed by surprise weeks later.
 */
export const PASSWORD_RESET_VALIDITY_SECONDS = 24 * 60 * 60;

/**
 * A password someone chose for another person, waiting for a second person (Part 11 §11.200(a):
 * "administrators cannot set a user's password to a value they know without a second person").
 */
export interface PendingPasswordReset {
  requestId: string;
  /** Who chose the password, and so knows it: an administrator, or `cli` for the operator. */
  requestedBy: string;
  passwordHash: string;
  expiresAt: IsoInstant;
}

export const passwordResetOutcomes = ['confirmed', 'withdrawn', 'expired'] as const;
export type PasswordResetOutcome = (typeof passwordResetOutcomes)[number];

/** The latest request that no longer waits, so a retried confirmation or withdrawal answers the same. */
export interface ClosedPasswordReset {
  requestId: string;
  outcome: PasswordResetOutcome;
}

/** How many bad passwords within how long lock an account, and for how long. Configuration, so it comes in the command. */
export interface LockoutPolicy {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export interface User extends UserDetails {
  userId: string;
  /** Normalised; fixed for life. */
  username: string;
  /**
   * Legacy `Users.Id`, fixed for life: the old system's users table holds staff and customers alike,
   * so both take ids from the same allocator (see libs/domain/legacy).
   */
  legacyUserId: number;
  roles: Readonly<Partial<Record<Role, RoleScope>>>;
  /** By tracer id. */
  releaseRights: Readonly<Record<string, ReleaseRight>>;
  /** Null for users who sign in through the hospital directory, or have not set one yet. */
  passwordHash: string | null;
  /**
   * Set when someone else chose the password, who therefore knows it (Part 11 §11.200): sessions may
   * start, and the API lets them do nothing but replace it.
   */
  mustChange: boolean;
  /** The last lockout's end; the user is locked while `at` is before it (see `isLockedAt`). */
  lockedUntil: IsoInstant | null;
  /** Bad-password failures since the last session start or lockout, oldest first. */
  recentFailures: IsoInstant[];
  /** Session id → absolute expiry. Sessions ended by an event are gone; expired ones linger until the next start. */
  openSessions: Readonly<Record<string, IsoInstant>>;
  /** How the person's identity was checked at registration; null for users registered before it was recorded. */
  identityVerification: IdentityVerification | null;
  pendingPasswordReset: PendingPasswordReset | null;
  lastClosedPasswordReset: ClosedPasswordReset | null;
}

export type ActiveUser = User & { status: 'active' };
export type DeactivatedUser = User & { status: 'deactivated' };
export type PresentUser = ActiveUser | DeactivatedUser;
export type UserState = { status: 'absent' } | PresentUser;

// Commands

export interface RegisterUser {
  type: 'RegisterUser';
  userId: string;
  username: string;
  printedName: string;
  emails?: string[];
  /** Legacy `Users.Id`, allocated by the handler. */
  legacyUserId: number;
  /** Required for every new user (Part 11 §11.100); `verifiedBy` is the acting user's id, from the session. */
  identityVerification: IdentityVerification;
  at: IsoInstant;
}

export interface ChangeUserDetails {
  type: 'ChangeUserDetails';
  userId: string;
  changes: Partial<UserDetails>;
  at: IsoInstant;
}

export interface GrantRole {
  type: 'GrantRole';
  userId: string;
  role: Role;
  customerIds?: string[];
  locationIds?: string[];
  at: IsoInstant;
}

/** The reason goes into the envelope: Annex 11 §12.3 wants the cancellation of access rights recorded. */
export interface RevokeRole {
  type: 'RevokeRole';
  userId: string;
  role: Role;
  reason: string;
  at: IsoInstant;
}

/**
 * A shop admin gives a person access to one of its customers (rules: ShopAdmin "giving internal
 * users access to their customers"): the customer joins the person's `shop` role. Whether the
 * granting shop admin holds the customer is the handler's check, from the session.
 */
export interface GrantCustomerAccess {
  type: 'GrantCustomerAccess';
  userId: string;
  customerId: string;
  at: IsoInstant;
}

/** The customer leaves the person's `shop` role; the role goes with its last customer. */
export interface RevokeCustomerAccess {
  type: 'RevokeCustomerAccess';
  userId: string;
  customerId: string;
  reason: string;
  at: IsoInstant;
}

export interface GrantReleaseRight {
  type: 'GrantReleaseRight';
  userId: string;
  tracerId: string;
  expiresOn: CalendarDate | null;
  /** The acting user's id; the handler takes it from the session, never from the request body. */
  grantedBy: string;
  at: IsoInstant;
}

export interface RevokeReleaseRight {
  type: 'RevokeReleaseRight';
  userId: string;
  tracerId: string;
  reason: string;
  at: IsoInstant;
}

/**
 * A person sets their own password (or the first administrator theirs, at setup). The handler checks
 * `checkPasswordPolicy` and hashes; the plain password never reaches the domain. A password for
 * someone else goes through `RequestPasswordReset` and a second person's `ConfirmPasswordReset`.
 */
export interface SetPassword {
  type: 'SetPassword';
  userId: string;
  passwordHash: string;
  /** The acting user's id: the user themselves. */
  setBy: string;
  at: IsoInstant;
}

/**
 * One person chooses a temporary password for another, with a reason (into the envelope). It takes
 * effect only once a second person confirms it; until then, or its expiry, nothing changes.
 */
export interface RequestPasswordReset {
  type: 'RequestPasswordReset';
  userId: string;
  /** Chosen by the handler. */
  requestId: string;
  passwordHash: string;
  /** The acting user's id (`cli` for the operator), from the session, never from the request body. */
  requestedBy: string;
  reason: string;
  at: IsoInstant;
}

export interface ConfirmPasswordReset {
  type: 'ConfirmPasswordReset';
  userId: string;
  /** The request the confirmer saw: a request withdrawn and made again by someone else is not confirmed blindly. */
  requestId: string;
  /** The acting user's id (`cli` for the operator), from the session. */
  confirmedBy: string;
  /**
   * Set only by the operator's cli, after it found no active administrator but the user themselves:
   * the deployment's first account, or its only administrator locked out. Nobody else exists to be
   * the second person; the record says so (`withoutSecondPerson` on the event).
   */
  withoutSecondPerson?: boolean;
  at: IsoInstant;
}

/** The requester or anyone else takes a request back, with a reason (into the envelope). */
export interface WithdrawPasswordReset {
  type: 'WithdrawPasswordReset';
  userId: string;
  requestId: string;
  /** The acting user's id (`cli` for the operator), from the session. */
  withdrawnBy: string;
  reason: string;
  at: IsoInstant;
}

/**
 * The worker's record that a waiting reset ran out (24 hours): without it, the expiry would be
 * recorded only when the next request or withdrawal finds it.
 */
export interface RecordPasswordResetExpiry {
  type: 'RecordPasswordResetExpiry';
  userId: string;
  requestId: string;
  at: IsoInstant;
}

export interface DeactivateUser {
  type: 'DeactivateUser';
  userId: string;
  /** Goes into the envelope. */
  reason: string;
  at: IsoInstant;
}

export interface RecordLoginFailure {
  type: 'RecordLoginFailure';
  userId: string;
  reason: LoginFailureReason;
  remoteAddress?: string | null;
  policy: LockoutPolicy;
  at: IsoInstant;
}

export interface StartSession {
  type: 'StartSession';
  userId: string;
  /** Random, chosen by the handler; the token itself stays with the client, only its hash is stored. */
  sessionId: string;
  tokenHash: string;
  absoluteTimeoutSeconds: number;
  idleTimeoutSeconds: number;
  remoteAddress?: string | null;
  at: IsoInstant;
}

export interface EndSession {
  type: 'EndSession';
  userId: string;
  sessionId: string;
  reason: SessionEndReason;
  at: IsoInstant;
}

export interface RecordSignatureFailure {
  type: 'RecordSignatureFailure';
  userId: string;
  meaning: SignatureMeaning;
  reason: SignatureFailureReason;
  /** The stream of the record that was to be signed. */
  recordStreamId?: string;
  /** The login lockout policy: wrong signature passwords count towards the same lockout. */
  policy: LockoutPolicy;
  at: IsoInstant;
}

export type UserCommand =
  | RegisterUser
  | ChangeUserDetails
  | GrantRole
  | RevokeRole
  | GrantCustomerAccess
  | RevokeCustomerAccess
  | GrantReleaseRight
  | RevokeReleaseRight
  | SetPassword
  | RequestPasswordReset
  | ConfirmPasswordReset
  | WithdrawPasswordReset
  | RecordPasswordResetExpiry
  | DeactivateUser
  | RecordLoginFailure
  | StartSession
  | EndSession
  | RecordSignatureFailure;

// Events

export interface UserRegisteredData extends UserDetails {
  userId: string;
  username: string;
  legacyUserId: number;
  /**
   * Addition to the contract (absent from users registered before it was recorded): how the
   * person's identity was checked, and by whom.
   */
  identityVerification?: IdentityVerification;
}
export interface UserDetailsChangedData {
  userId: string;
  changes: FieldChanges<UserDetails>;
}
export interface RoleGrantedData extends RoleGrant {
  userId: string;
}
export interface RoleRevokedData {
  userId: string;
  role: Role;
}
export interface ReleaseRightGrantedData extends ReleaseRight {
  userId: string;
}
export interface ReleaseRightRevokedData {
  userId: string;
  tracerId: string;
}
export interface PasswordSetData {
  userId: string;
  passwordHash: string;
  setBy: string;
  mustChange: boolean;
}
/** The reason is in the envelope. `passwordHash` is a secret field (see secret-fields.ts). */
export interface PasswordResetRequestedData {
  userId: string;
  requestId: string;
  requestedBy: string;
  passwordHash: string;
  expiresAt: IsoInstant;
}
/** Followed by the `PasswordSet` it confirms (`setBy`: the requester; `mustChange`: true). */
export interface PasswordResetConfirmedData {
  userId: string;
  requestId: string;
  requestedBy: string;
  confirmedBy: string;
  /** True only when the operator's cli confirmed alone, no other administrator existing (see `ConfirmPasswordReset`). */
  withoutSecondPerson: boolean;
}
/** The reason is in the envelope. */
export interface PasswordResetWithdrawnData {
  userId: string;
  requestId: string;
  withdrawnBy: string;
}
/** Recorded when a later command finds the request past its `expiresAt`. */
export interface PasswordResetExpiredData {
  userId: string;
  requestId: string;
  expiresAt: IsoInstant;
}
export interface UserDeactivatedData {
  userId: string;
}
export interface LoginFailedData {
  userId: string;
  reason: LoginFailureReason;
  remoteAddress: string | null;
  /** Bad passwords (of logins and signatures) within the policy's window, this one included when it is one. */
  failuresInWindow: number;
  /** Addition to the contract: the command's `at`, so the state can count failures in a window. */
  failedAt?: IsoInstant;
  /**
   * Addition to the contract: the stream of the record that was to be signed, so the record's
   * audit trail review lists the failed attempts to sign it.
   */
  recordStreamId?: string;
}
export interface UserLockedOutData {
  userId: string;
  until: IsoInstant;
}
export interface SessionStartedData {
  userId: string;
  sessionId: string;
  tokenHash: string;
  expiresAt: IsoInstant;
  idleTimeoutSeconds: number;
  remoteAddress: string | null;
  /** Addition to the contract: the command's `at`, so the state can forget sessions expired by then. */
  startedAt?: IsoInstant;
}
export interface SessionEndedData {
  userId: string;
  sessionId: string;
  reason: SessionEndedReason;
}
export interface SignatureAttemptFailedData {
  userId: string;
  meaning: SignatureMeaning;
  reason: SignatureFailureReason;
  /**
   * Addition to the contract (absent from earlier events): bad passwords, of logins and signatures,
   * within the policy's window, this one included when it is one.
   */
  failuresInWindow?: number;
  /** Addition to the contract: the command's `at`, so the state can count failures in a window. */
  failedAt?: IsoInstant;
  /**
   * Addition to the contract: the stream of the record that was to be signed, so the record's
   * audit trail review lists the failed attempts to sign it.
   */
  recordStreamId?: string;
}

export type UserRegistered = DomainEvent<'UserRegistered', UserRegisteredData>;
export type UserDetailsChanged = DomainEvent<'UserDetailsChanged', UserDetailsChangedData>;
export type RoleGranted = DomainEvent<'RoleGranted', RoleGrantedData>;
export type RoleRevoked = DomainEvent<'RoleRevoked', RoleRevokedData>;
export type ReleaseRightGranted = DomainEvent<'ReleaseRightGranted', ReleaseRightGrantedData>;
export type ReleaseRightRevoked = DomainEvent<'ReleaseRightRevoked', ReleaseRightRevokedData>;
export type PasswordSet = DomainEvent<'PasswordSet', PasswordSetData>;
export type PasswordResetRequested = DomainEvent<'PasswordResetRequested', PasswordResetRequestedData>;
export type PasswordResetConfirmed = DomainEvent<'PasswordResetConfirmed', PasswordResetConfirmedData>;
export type PasswordResetWithdrawn = DomainEvent<'PasswordResetWithdrawn', PasswordResetWithdrawnData>;
export type PasswordResetExpired = DomainEvent<'PasswordResetExpired', PasswordResetExpiredData>;
export type UserDeactivated = DomainEvent<'UserDeactivated', UserDeactivatedData>;
export type LoginFailed = DomainEvent<'LoginFailed', LoginFailedData>;
export type UserLockedOut = DomainEvent<'UserLockedOut', UserLockedOutData>;
export type SessionStarted = DomainEvent<'SessionStarted', SessionStartedData>;
export type SessionEnded = DomainEvent<'SessionEnded', SessionEndedData>;
export type SignatureAttemptFailed = DomainEvent<'SignatureAttemptFailed', SignatureAttemptFailedData>;

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

// Queries the handlers and guards share

/** The roles a user may act in now: none once deactivated. */
export function rolesOf(state: UserState): RoleGrant[] {
  if (state.status !== 'active') return [];
  return roles.flatMap((role) => {
    const scope = state.roles[role];
    return scope ? [{ role, customerIds: scope.customerIds, locationIds: scope.locationIds }] : [];
  });
}

export function holdsRole(state: UserState, role: Role): boolean {
  return state.status === 'active' && state.roles[role] !== undefined;
}

/**
 * Whether the user may release the tracer on that (local) date: active, still in a role that
 * releases, and holding an unexpired right. The expiry date itself is the last valid day.
 */
export function hasReleaseRight(state: UserState, tracerId: string, onDate: CalendarDate): boolean {
  if (state.status !== 'active' || !releaseCapableRoles.some((role) => holdsRole(state, role))) return false;
  const right = Object.hasOwn(state.releaseRights, tracerId) ? state.releaseRights[tracerId] : undefined;
  return right !== undefined && (right.expiresOn === null || onDate <= right.expiresOn);
}

export function isLockedAt(state: UserState, at: IsoInstant): boolean {
  return state.status !== 'absent' && state.lockedUntil !== null && isBefore(at, state.lockedUntil);
}

/**
 * How many more wrong passwords the policy allows before the lockout: none while locked. The
 * handler counts the checks still running against this, so parallel guesses cannot pass it.
 */
export function passwordChecksLeft(state: UserState, at: IsoInstant, policyGiven: LockoutPolicy): number {
  if (state.status === 'absent' || isLockedAt(state, at)) return 0;
  const policy = validLockoutPolicy(policyGiven);
  return Math.max(0, policy.maxFailures - failuresWithinWindow(state, at, policy).length);
}

// Rules

function requirePresent(state: UserState, userId: string): PresentUser {
  if (state.status === 'absent') throw notFound('USER_NOT_FOUND', `The user ${userId} does not exist`, { id: userId });
  return state;
}

function requireActive(state: UserState, userId: string): ActiveUser {
  const user = requirePresent(state, userId);
  if (user.status === 'deactivated') {
    throw ruleViolated('USER_DEACTIVATED', `The user ${userId} is deactivated`, { id: userId });
  }
  return user;
}

const detailsOf = (user: UserDetails): UserDetails => ({ printedName: user.printedName, emails: user.emails });

function validDetails(details: Partial<UserDetails>): UserDetails {
  return {
    printedName: requireText(details.printedName, 'printedName', PRINTED_NAME_MAX),
    emails: requireEmails(details.emails, 'emails', MAX_EMAILS),
  };
}

function validLockoutPolicy(policy: Partial<LockoutPolicy> | undefined): LockoutPolicy {
  const positive = (value: unknown, field: string, max: number) =>
    requireInteger(value, `policy.${field}`, { min: 1, max, code: 'INVALID_LOCKOUT_POLICY' });
  return {
    maxFailures: positive(policy?.maxFailures, 'maxFailures', MAX_REMEMBERED_FAILURES),
    windowSeconds: positive(policy?.windowSeconds, 'windowSeconds', MAX_LOCKOUT_SECONDS),
    lockoutSeconds: positive(policy?.lockoutSeconds, 'lockoutSeconds', MAX_LOCKOUT_SECONDS),
  };
}

/** Ends the sessions still running at `at`; ones already past their expiry need no event. */
function endOpenSessions(user: User, at: IsoInstant, reason: SessionEndedReason): SessionEnded[] {
  return Object.entries(user.openSessions)
    .filter(([, expiresAt]) => isBefore(at, expiresAt))
    .map(([sessionId]) => ({ type: 'SessionEnded', data: { userId: user.userId, sessionId, reason } }));
}

const without = <T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter(([other]) => other !== key));

// Decisions, one per command

function registerUser(command: RegisterUser, userId: string, state: UserState): UserEvent[] {
  const username = requireUsername(command.username);
  const details = validDetails(command);
  if (state.status === 'absent') {
    const legacyUserId = requireLegacyId(command.legacyUserId, 'legacyUserId');
    const identityVerification = requireIdentityVerification(command.identityVerification);
    return [{ type: 'UserRegistered', data: { userId, username, ...details, legacyUserId, identityVerification } }];
  }
  // Ids are never reused, not even for the same person.
  requireActive(state, userId);
  if (state.username === username && sameValue(detailsOf(state), details)) return [];
  throw conflict('ALREADY_EXISTS', `A different user with id ${userId} already exists`, { entity: 'USER', id: userId });
}

function changeUserDetails(command: ChangeUserDetails, user: ActiveUser): UserEvent[] {
  const current = detailsOf(user);
  const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
  return hasChanges(changes) ? [{ type: 'UserDetailsChanged', data: { userId: user.userId, changes } }] : [];
}

function grantRole(command: GrantRole, user: ActiveUser): UserEvent[] {
  const { role, customerIds, locationIds } = validRoleGrant(command);
  const held = user.roles[role];
  // Granting a held role with another scope replaces the scope; with the same scope it changes nothing.
  if (held && sameValue(held, { customerIds, locationIds })) return [];
  return [{ type: 'RoleGranted', data: { userId: user.userId, role, customerIds, locationIds } }];
}

function revokeRole(command: RevokeRole, user: ActiveUser): UserEvent[] {
  const role = requireRole(command.role);
  requireReason(command.reason);
  if (user.roles[role] === undefined) return [];
  const events: UserEvent[] = [{ type: 'RoleRevoked', data: { userId: user.userId, role } }];
  const stillReleases = releaseCapableRoles.some((other) => other !== role && user.roles[other] !== undefined);
  if (releaseCapableRoles.includes(role) && !stillReleases) {
    // A right its holder cannot use would still show in every "who may release" list; withdraw it visibly.
    for (const tracerId of Object.keys(user.releaseRights)) {
      events.push({ type: 'ReleaseRightRevoked', data: { userId: user.userId, tracerId } });
    }
  }
  return events;
}

function grantCustomerAccess(command: GrantCustomerAccess, user: ActiveUser): UserEvent[] {
  const customerId = requireId(command.customerId, 'customerId');
  const held = user.roles.shop?.customerIds ?? [];
  if (held.includes(customerId)) return [];
  return grantRole({ ...command, type: 'GrantRole', role: 'shop', customerIds: [...held, customerId] }, user);
}

function revokeCustomerAccess(command: RevokeCustomerAccess, user: ActiveUser): UserEvent[] {
  const customerId = requireId(command.customerId, 'customerId');
  requireReason(command.reason);
  const held = user.roles.shop?.customerIds ?? [];
  if (!held.includes(customerId)) return [];
  const rest = held.filter((id) => id !== customerId);
  return rest.length === 0
    ? revokeRole({ ...command, type: 'RevokeRole', role: 'shop' }, user)
    : grantRole({ ...command, type: 'GrantRole', role: 'shop', customerIds: rest }, user);
}

function grantReleaseRight(command: GrantReleaseRight, user: ActiveUser): UserEvent[] {
  const tracerId = requireId(command.tracerId, 'tracerId');
  const grantedBy = requireId(command.grantedBy, 'grantedBy');
  const expiresOn = optionalCalendarDate(command.expiresOn, 'expiresOn');
  if (grantedBy === user.userId) {
    throw ruleViolated('SELF_GRANT_FORBIDDEN', 'Nobody may grant a release right to themselves', {
      field: 'grantedBy',
      userId: user.userId,
    });
  }
  // `at` was validated as an ISO instant, so its first ten characters are the date it was written on.
  if (expiresOn !== null && expiresOn < command.at.slice(0, 10)) {
    throw ruleViolated('EXPIRY_IN_PAST', `A release right expiring on ${expiresOn} would never be valid`, {
      field: 'expiresOn',
      value: expiresOn,
    });
  }
  if (!releaseCapableRoles.some((role) => user.roles[role] !== undefined)) {
    throw ruleViolated('RELEASE_ROLE_REQUIRED', `Only a user in a releasing role may hold a release right`, {
      field: 'userId',
      anyOf: releaseCapableRoles,
    });
  }
  const held = Object.hasOwn(user.releaseRights, tracerId) ? user.releaseRights[tracerId] : undefined;
  if (held && held.expiresOn === expiresOn) return [];
  return [{ type: 'ReleaseRightGranted', data: { userId: user.userId, tracerId, expiresOn, grantedBy } }];
}

function revokeReleaseRight(command: RevokeReleaseRight, user: ActiveUser): UserEvent[] {
  const tracerId = requireId(command.tracerId, 'tracerId');
  requireReason(command.reason);
  if (!Object.hasOwn(user.releaseRights, tracerId)) return [];
  return [{ type: 'ReleaseRightRevoked', data: { userId: user.userId, tracerId } }];
}

const secondPersonRequired = (message: string, details: Record<string, unknown>) =>
  ruleViolated('SECOND_PERSON_REQUIRED', message, details);

function setPassword(command: SetPassword, user: ActiveUser): UserEvent[] {
  const passwordHash = requireHash(command.passwordHash, 'passwordHash');
  const setBy = requireId(command.setBy, 'setBy');
  if (setBy !== user.userId) {
    throw secondPersonRequired(
      'A password for someone else is a reset request that a second person confirms (Part 11 §11.200(a))',
      { field: 'setBy', userId: user.userId },
    );
  }
  // A locked account changes no password of its own choosing, however the right one was found
  // (a check that began before the lockout). A confirmed reset stays possible.
  if (isLockedAt(user, command.at)) {
    throw ruleViolated('USER_LOCKED', `The user ${user.userId} is locked until ${user.lockedUntil}`, {
      id: user.userId,
      until: user.lockedUntil,
    });
  }
  if (passwordHash === user.passwordHash && !user.mustChange) return [];
  return [
    { type: 'PasswordSet', data: { userId: user.userId, passwordHash, setBy, mustChange: false } },
    ...endOpenSessions(user, command.at, 'password_changed'),
  ];
}

const passwordResetExpired = (user: User, pending: PendingPasswordReset): PasswordResetExpired => ({
  type: 'PasswordResetExpired',
  data: { userId: user.userId, requestId: pending.requestId, expiresAt: pending.expiresAt },
});

const hasExpired = (pending: PendingPasswordReset, at: IsoInstant) => !isBefore(at, pending.expiresAt);

/**
 * One request at a time: a second one while the first waits is refused, so a confirmer never
 * confirms a password other than the one whose request they read. An expired one is recorded as
 * expired first. The owner changes their own password with `SetPassword`, never through a request.
 */
function requestPasswordReset(command: RequestPasswordReset, user: ActiveUser): UserEvent[] {
  const requestId = requireId(command.requestId, 'requestId');
  const passwordHash = requireHash(command.passwordHash, 'passwordHash');
  const requestedBy = requireId(command.requestedBy, 'requestedBy');
  requireReason(command.reason);
  if (requestedBy === user.userId) {
    throw ruleViolated('USE_OWN_PASSWORD_CHANGE', 'Change your own password giving the current one', {
      id: user.userId,
    });
  }
  const pending = user.pendingPasswordReset;
  if (pending?.requestId === requestId && pending.requestedBy === requestedBy) return [];
  if (user.lastClosedPasswordReset?.requestId === requestId || pending?.requestId === requestId) {
    throw conflict('PASSWORD_RESET_ID_TAKEN', `The password reset ${requestId} was requested before`, {
      field: 'requestId',
      requestId,
    });
  }
  const before: UserEvent[] = [];
  if (pending) {
    if (!hasExpired(pending, command.at)) {
      throw conflict('PASSWORD_RESET_PENDING', `A password reset of ${user.userId} waits for confirmation already`, {
        requestId: pending.requestId,
        requestedBy: pending.requestedBy,
        expiresAt: pending.expiresAt,
      });
    }
    before.push(passwordResetExpired(user, pending));
  }
  const expiresAt = addSeconds(command.at, PASSWORD_RESET_VALIDITY_SECONDS);
  return [
    ...before,
    {
      type: 'PasswordResetRequested',
      data: { userId: user.userId, requestId, requestedBy, passwordHash, expiresAt },
    },
  ];
}

/** The request the command names, waiting and unexpired; a retry of what was done answers []. */
function requireWaitingReset(
  user: User,
  requestId: string,
  at: IsoInstant,
  retried: PasswordResetOutcome,
): PendingPasswordReset | null {
  const pending = user.pendingPasswordReset;
  if (pending?.requestId === requestId) {
    if (hasExpired(pending, at)) {
      throw conflict('PASSWORD_RESET_EXPIRED', `The password reset ${requestId} expired at ${pending.expiresAt}`, {
        requestId,
        expiresAt: pending.expiresAt,
      });
    }
    return pending;
  }
  const closed = user.lastClosedPasswordReset;
  if (closed?.requestId === requestId) {
    if (closed.outcome === retried) return null;
    throw conflict('PASSWORD_RESET_CLOSED', `The password reset ${requestId} was ${closed.outcome}`, {
      requestId,
      outcome: closed.outcome,
    });
  }
  throw notFound('PASSWORD_RESET_NOT_FOUND', `No password reset ${requestId} waits for ${user.userId}`, {
    requestId,
  });
}

/**
 * The second person: neither the one who chose the password (they know it) nor its owner (who
 * would set their own password without giving the current one). The password then takes effect,
 * to be replaced by its owner at the next login, and every open session of the owner ends.
 */
function confirmPasswordReset(command: ConfirmPasswordReset, user: ActiveUser): UserEvent[] {
  const requestId = requireId(command.requestId, 'requestId');
  const confirmedBy = requireId(command.confirmedBy, 'confirmedBy');
  const pending = requireWaitingReset(user, requestId, command.at, 'confirmed');
  if (pending === null) return [];
  if (confirmedBy === user.userId) {
    throw secondPersonRequired('Nobody confirms a password reset of their own account', {
      field: 'confirmedBy',
      userId: user.userId,
    });
  }
  // Recorded as alone only when it was: the flag from a confirmer other than the requester changes nothing.
  const withoutSecondPerson = confirmedBy === pending.requestedBy;
  if (withoutSecondPerson && command.withoutSecondPerson !== true) {
    throw secondPersonRequired('The person who chose the password cannot also confirm it', {
      field: 'confirmedBy',
      requestedBy: pending.requestedBy,
    });
  }
  const { requestedBy, passwordHash } = pending;
  return [
    {
      type: 'PasswordResetConfirmed',
      data: { userId: user.userId, requestId, requestedBy, confirmedBy, withoutSecondPerson },
    },
    { type: 'PasswordSet', data: { userId: user.userId, passwordHash, setBy: requestedBy, mustChange: true } },
    ...endOpenSessions(user, command.at, 'password_changed'),
  ];
}

/** Anyone who may reset may take a request back; one found expired is recorded as expired instead. */
function withdrawPasswordReset(command: WithdrawPasswordReset, user: PresentUser): UserEvent[] {
  const requestId = requireId(command.requestId, 'requestId');
  const withdrawnBy = requireId(command.withdrawnBy, 'withdrawnBy');
  requireReason(command.reason);
  const pending = user.pendingPasswordReset;
  if (pending?.requestId === requestId && hasExpired(pending, command.at)) {
    return [passwordResetExpired(user, pending)];
  }
  if (user.lastClosedPasswordReset?.requestId === requestId && user.lastClosedPasswordReset.outcome === 'expired') {
    return [];
  }
  if (requireWaitingReset(user, requestId, command.at, 'withdrawn') === null) return [];
  return [{ type: 'PasswordResetWithdrawn', data: { userId: user.userId, requestId, withdrawnBy } }];
}

function deactivateUser(command: DeactivateUser, user: PresentUser): UserEvent[] {
  requireReason(command.reason);
  if (user.status === 'deactivated') return [];
  return [
    { type: 'UserDeactivated', data: { userId: user.userId } },
    ...endOpenSessions(user, command.at, 'deactivated'),
  ];
}

/**
 * Part 11 §11.300: unauthorised attempts are detected and reported. Recorded for deactivated users
 * too, since attempts on a dead account are exactly what to look for. Only bad passwords count
 * towards a lockout: a user who keeps trying while locked is not locked for longer.
 */
function recordLoginFailure(command: RecordLoginFailure, user: PresentUser): UserEvent[] {
  const reason = requireOneOf(command.reason, loginFailureReasons, 'reason', 'INVALID_LOGIN_FAILURE_REASON');
  const remoteAddress = optionalRemoteAddress(command.remoteAddress);
  const { failuresInWindow, lockout } = countFailure(user, command.at, command.policy, reason === 'bad_password');
  return [
    {
      type: 'LoginFailed',
      data: { userId: user.userId, reason, remoteAddress, failuresInWindow, failedAt: command.at },
    },
    ...lockout,
  ];
}

/**
 * A failed login or signature against the lockout policy: bad passwords within the window, this
 * one included when it counts, and the lockout they reach. Logins and signatures share the count,
 * so a password cannot be guessed through the signing step while the login is guarded.
 */
function countFailure(
  user: PresentUser,
  at: IsoInstant,
  policyGiven: LockoutPolicy,
  counts: boolean,
): { failuresInWindow: number; lockout: UserLockedOut[] } {
  const policy = validLockoutPolicy(policyGiven);
  const earlier = failuresWithinWindow(user, at, policy);
  const failuresInWindow = earlier.length + (counts ? 1 : 0);
  const locks = counts && user.status === 'active' && !isLockedAt(user, at) && failuresInWindow >= policy.maxFailures;
  const lockout: UserLockedOut[] = locks
    ? [{ type: 'UserLockedOut', data: { userId: user.userId, until: addSeconds(at, policy.lockoutSeconds) } }]
    : [];
  return { failuresInWindow, lockout };
}

const failuresWithinWindow = (user: PresentUser, at: IsoInstant, policy: LockoutPolicy) =>
  user.recentFailures.filter((failedAt) => isWithinSecondsBefore(failedAt, at, policy.windowSeconds));

function startSession(command: StartSession, user: ActiveUser): UserEvent[] {
  const sessionId = requireId(command.sessionId, 'sessionId');
  const tokenHash = requireHash(command.tokenHash, 'tokenHash');
  const absoluteTimeoutSeconds = requireInteger(command.absoluteTimeoutSeconds, 'absoluteTimeoutSeconds', {
    min: 1,
    max: MAX_SESSION_SECONDS,
    code: 'INVALID_SESSION_TIMEOUT',
  });
  // The idle timeout defines the "continuous session" of Part 11 §11.200; it cannot outlast the session.
  const idleTimeoutSeconds = requireInteger(command.idleTimeoutSeconds, 'idleTimeoutSeconds', {
    min: 1,
    max: absoluteTimeoutSeconds,
    code: 'INVALID_SESSION_TIMEOUT',
  });
  const remoteAddress = optionalRemoteAddress(command.remoteAddress);
  if (isLockedAt(user, command.at)) {
    throw ruleViolated('USER_LOCKED', `The user ${user.userId} is locked until ${user.lockedUntil}`, {
      id: user.userId,
      until: user.lockedUntil,
    });
  }
  const expiresAt = addSeconds(command.at, absoluteTimeoutSeconds);
  if (Object.hasOwn(user.openSessions, sessionId)) {
    // The same start retried changes nothing; another start under a live id is a handler bug.
    if (user.openSessions[sessionId] === expiresAt) return [];
    throw conflict('SESSION_EXISTS', `The session ${sessionId} is already open`, { field: 'sessionId' });
  }
  return [
    {
      type: 'SessionStarted',
      data: {
        userId: user.userId,
        sessionId,
        tokenHash,
        expiresAt,
        idleTimeoutSeconds,
        remoteAddress,
        startedAt: command.at,
      },
    },
  ];
}

function endSession(command: EndSession, user: ActiveUser): UserEvent[] {
  const sessionId = requireId(command.sessionId, 'sessionId');
  const reason = requireOneOf(command.reason, sessionEndReasons, 'reason', 'INVALID_SESSION_END_REASON');
  if (!Object.hasOwn(user.openSessions, sessionId)) return [];
  return [{ type: 'SessionEnded', data: { userId: user.userId, sessionId, reason } }];
}

/**
 * Recorded for deactivated users too, like login failures. A wrong password counts towards the
 * login lockout (Part 11 §11.300: attempts are detected, and repeats stopped and reported).
 */
function recordSignatureFailure(command: RecordSignatureFailure, user: PresentUser): UserEvent[] {
  const meaning = requireOneOf(command.meaning, signatureMeanings, 'meaning', 'INVALID_SIGNATURE_MEANING');
  const reason = requireOneOf(command.reason, signatureFailureReasons, 'reason', 'INVALID_SIGNATURE_FAILURE_REASON');
  const { failuresInWindow, lockout } = countFailure(user, command.at, command.policy, reason === 'bad_password');
  return [
    {
      type: 'SignatureAttemptFailed',
      data: {
        userId: user.userId,
        meaning,
        reason,
        failuresInWindow,
        failedAt: command.at,
        ...(command.recordStreamId !== undefined
          ? { recordStreamId: requireText(command.recordStreamId, 'recordStreamId', 400) }
          : {}),
      },
    },
    ...lockout,
  ];
}

// Decider

const initialState = (): UserState => ({ status: 'absent' });

function evolve(state: UserState, event: UserEvent): UserState {
  if (event.type === 'UserRegistered') {
    return {
      status: 'active',
      ...event.data,
      roles: {},
      releaseRights: {},
      passwordHash: null,
      mustChange: false,
      lockedUntil: null,
      recentFailures: [],
      openSessions: {},
      identityVerification: event.data.identityVerification ?? null,
      pendingPasswordReset: null,
      lastClosedPasswordReset: null,
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'UserDetailsChanged':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'RoleGranted': {
      const { role, customerIds, locationIds } = event.data;
      return { ...state, roles: { ...state.roles, [role]: { customerIds, locationIds } } };
    }
    case 'RoleRevoked':
      return { ...state, roles: without(state.roles, event.data.role) };
    case 'ReleaseRightGranted': {
      const { tracerId, expiresOn, grantedBy } = event.data;
      return { ...state, releaseRights: { ...state.releaseRights, [tracerId]: { tracerId, expiresOn, grantedBy } } };
    }
    case 'ReleaseRightRevoked':
      return { ...state, releaseRights: without(state.releaseRights, event.data.tracerId) };
    // Every live session got its SessionEnded beside these two; the expired rest can go as well.
    case 'PasswordSet':
      return {
        ...state,
        passwordHash: event.data.passwordHash,
        mustChange: event.data.mustChange,
        openSessions: {},
      };
    case 'PasswordResetRequested': {
      const { requestId, requestedBy, passwordHash, expiresAt } = event.data;
      return { ...state, pendingPasswordReset: { requestId, requestedBy, passwordHash, expiresAt } };
    }
    case 'PasswordResetConfirmed':
      return closePasswordReset(state, event.data.requestId, 'confirmed');
    case 'PasswordResetWithdrawn':
      return closePasswordReset(state, event.data.requestId, 'withdrawn');
    case 'PasswordResetExpired':
      return closePasswordReset(state, event.data.requestId, 'expired');
    case 'UserDeactivated':
      return { ...state, status: 'deactivated', openSessions: {} };
    case 'LoginFailed':
    case 'SignatureAttemptFailed': {
      const { reason, failedAt } = event.data;
      if (reason !== 'bad_password' || failedAt === undefined) return state;
      return { ...state, recentFailures: [...state.recentFailures, failedAt].slice(-MAX_REMEMBERED_FAILURES) };
    }
    // The lockout uses up the failures that caused it; counting starts afresh.
    case 'UserLockedOut':
      return { ...state, lockedUntil: event.data.until, recentFailures: [] };
    case 'SessionStarted': {
      const { sessionId, expiresAt, startedAt } = event.data;
      const live = Object.entries(state.openSessions).filter(
        ([, otherExpiresAt]) => startedAt === undefined || isBefore(startedAt, otherExpiresAt),
      );
      return {
        ...state,
        openSessions: { ...Object.fromEntries(live), [sessionId]: expiresAt },
        recentFailures: [],
        lockedUntil: null,
      };
    }
    case 'SessionEnded':
      return { ...state, openSessions: without(state.openSessions, event.data.sessionId) };
  }
}

function closePasswordReset<S extends PresentUser>(state: S, requestId: string, outcome: PasswordResetOutcome): S {
  return { ...state, pendingPasswordReset: null, lastClosedPasswordReset: { requestId, outcome } };
}

function decide(command: UserCommand, state: UserState): UserEvent[] {
  requireInstant(command.at);
  const userId = requireId(command.userId, 'userId');
  switch (command.type) {
    case 'RegisterUser':
      return registerUser(command, userId, state);
    case 'ChangeUserDetails':
      return changeUserDetails(command, requireActive(state, userId));
    case 'GrantRole':
      return grantRole(command, requireActive(state, userId));
    case 'RevokeRole':
      return revokeRole(command, requireActive(state, userId));
    case 'GrantCustomerAccess':
      return grantCustomerAccess(command, requireActive(state, userId));
    case 'RevokeCustomerAccess':
      return revokeCustomerAccess(command, requireActive(state, userId));
    case 'GrantReleaseRight':
      return grantReleaseRight(command, requireActive(state, userId));
    case 'RevokeReleaseRight':
      return revokeReleaseRight(command, requireActive(state, userId));
    case 'SetPassword':
      return setPassword(command, requireActive(state, userId));
    case 'RequestPasswordReset':
      return requestPasswordReset(command, requireActive(state, userId));
    case 'ConfirmPasswordReset':
      return confirmPasswordReset(command, requireActive(state, userId));
    case 'WithdrawPasswordReset':
      return withdrawPasswordReset(command, requirePresent(state, userId));
    case 'RecordPasswordResetExpiry': {
      // Only the request named, and only once it has run out: a confirmed, withdrawn or newer one is left alone.
      const pending = requirePresent(state, userId).pendingPasswordReset;
      const requestId = requireId(command.requestId, 'requestId');
      if (pending?.requestId !== requestId || !hasExpired(pending, command.at)) return [];
      return [passwordResetExpired(requirePresent(state, userId), pending)];
    }
    case 'DeactivateUser':
      return deactivateUser(command, requirePresent(state, userId));
    case 'RecordLoginFailure':
      return recordLoginFailure(command, requirePresent(state, userId));
    case 'StartSession':
      return startSession(command, requireActive(state, userId));
    case 'EndSession':
      return endSession(command, requireActive(state, userId));
    case 'RecordSignatureFailure':
      return recordSignatureFailure(command, requirePresent(state, userId));
  }
}

export const userDecider: Decider<UserCommand, UserEvent, UserState> = { initialState, evolve, decide };
