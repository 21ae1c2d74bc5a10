import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { anneRegistered, at, minutesAfter, sessionStarted, thrownBy } from './identity-examples';
import {
  PASSWORD_RESET_VALIDITY_SECONDS,
  userDecider,
  type ConfirmPasswordReset,
  type LoginFailed,
  type PasswordResetConfirmed,
  type PasswordResetExpired,
  type PasswordResetRequested,
  type PasswordResetWithdrawn,
  type PasswordSet,
  type RecordPasswordResetExpiry,
  type RequestPasswordReset,
  type UserDeactivated,
  type UserLockedOut,
  type WithdrawPasswordReset,
} from './user';

/**
 * Part 11 §11.200(a): administrators cannot set a user's password to a value they know without a
 * second person. Bo (an administrator) chooses Anne's temporary password; Cai (another
 * administrator, or `cli`, the operator on the server) confirms it.
 */
const spec = specFor(userDecider);
const HASH = '$scrypt$bo-chose';
const expiresAt = new Date(Date.parse(at) + PASSWORD_RESET_VALIDITY_SECONDS * 1000).toISOString();

const request = (overrides: Partial<RequestPasswordReset> = {}): RequestPasswordReset => ({
  type: 'RequestPasswordReset',
  userId: 'user-anne',
  requestId: 'reset-1',
  passwordHash: HASH,
  requestedBy: 'user-bo',
  reason: 'Anne forgot her password (ticket 4711)',
  at,
  ...overrides,
});
const requested = (requestId = 'reset-1', requestedBy = 'user-bo', until = expiresAt): PasswordResetRequested => ({
  type: 'PasswordResetRequested',
  data: { userId: 'user-anne', requestId, requestedBy, passwordHash: HASH, expiresAt: until },
});
const confirm = (confirmedBy: string, overrides: Partial<ConfirmPasswordReset> = {}): ConfirmPasswordReset => ({
  type: 'ConfirmPasswordReset',
  userId: 'user-anne',
  requestId: 'reset-1',
  confirmedBy,
  at: minutesAfter(10),
  ...overrides,
});
const confirmed = (confirmedBy: string, requestedBy = 'user-bo', alone = false): PasswordResetConfirmed => ({
  type: 'PasswordResetConfirmed',
  data: { userId: 'user-anne', requestId: 'reset-1', requestedBy, confirmedBy, withoutSecondPerson: alone },
});
const passwordSetBy = (setBy: string): PasswordSet => ({
  type: 'PasswordSet',
  data: { userId: 'user-anne', passwordHash: HASH, setBy, mustChange: true },
});
const withdraw = (withdrawnBy: string, overrides: Partial<WithdrawPasswordReset> = {}): WithdrawPasswordReset => ({
  type: 'WithdrawPasswordReset',
  userId: 'user-anne',
  requestId: 'reset-1',
  withdrawnBy,
  reason: 'Anne found her password',
  at: minutesAfter(10),
  ...overrides,
});
const withdrawn = (withdrawnBy: string): PasswordResetWithdrawn => ({
  type: 'PasswordResetWithdrawn',
  data: { userId: 'user-anne', requestId: 'reset-1', withdrawnBy },
});
const expired = (requestId = 'reset-1'): PasswordResetExpired => ({
  type: 'PasswordResetExpired',
  data: { userId: 'user-anne', requestId, expiresAt },
});
const afterExpiry = minutesAfter(24 * 60);

describe('User password reset by two persons', () => {
  describe('RequestPasswordReset', () => {
    it('given Anne, when Bo requests a temporary password with a reason, then it waits a day for confirmation and changes no password', () => {
      spec.given([anneRegistered]).when(request()).then([requested()]);
      expect(fold(userDecider, [anneRegistered, requested()])).toMatchObject({
        passwordHash: null,
        mustChange: false,
        pendingPasswordReset: { requestId: 'reset-1', requestedBy: 'user-bo', passwordHash: HASH, expiresAt },
      });
    });

    it('given Anne, when she requests a reset of her own password, then it is refused: she changes it giving the current one', () => {
      spec
        .given([anneRegistered])
        .when(request({ requestedBy: 'user-anne' }))
        .thenThrows('USE_OWN_PASSWORD_CHANGE', { id: 'user-anne' });
    });

    it('requires a reason, an encoded hash, a requester and a request id', () => {
      spec
        .given([anneRegistered])
        .when(request({ reason: ' ' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      spec
        .given([anneRegistered])
        .when(request({ passwordHash: 'plain text' }))
        .thenThrows('INVALID_HASH', { field: 'passwordHash' });
      spec
        .given([anneRegistered])
        .when(request({ requestedBy: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'requestedBy' });
      spec
        .given([anneRegistered])
        .when(request({ requestId: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'requestId' });
    });

    it('given a request waiting, when another is made, then it is refused naming the waiting one; the same request retried changes nothing', () => {
      spec
        .given([anneRegistered, requested()])
        .when(request({ requestId: 'reset-2', requestedBy: 'user-cai' }))
        .thenThrows('PASSWORD_RESET_PENDING', { requestId: 'reset-1', requestedBy: 'user-bo', expiresAt });
      spec.given([anneRegistered, requested()]).when(request()).thenNothing();
    });

    it('given a request past its expiry, when another is made, then the first is recorded as expired before the new one', () => {
      spec
        .given([anneRegistered, requested()])
        .when(request({ requestId: 'reset-2', at: afterExpiry }))
        .then([
          expired(),
          requested(
            'reset-2',
            'user-bo',
            new Date(Date.parse(afterExpiry) + PASSWORD_RESET_VALIDITY_SECONDS * 1000).toISOString(),
          ),
        ]);
    });

    it('never takes a request id again', () => {
      spec
        .given([anneRegistered, requested(), withdrawn('user-bo')])
        .when(request())
        .thenThrows('PASSWORD_RESET_ID_TAKEN', { requestId: 'reset-1' });
    });

    it('is refused for a deactivated user', () => {
      const deactivated: UserDeactivated = { type: 'UserDeactivated', data: { userId: 'user-anne' } };
      spec.given([anneRegistered, deactivated]).when(request()).thenThrows('USER_DEACTIVATED');
    });
  });

  describe('ConfirmPasswordReset', () => {
    it('given Bo’s request, when Cai confirms it, then the password Bo chose is set, Anne must change it, and her sessions end', () => {
      spec
        .given([anneRegistered, sessionStarted('sess-1', minutesAfter(-5)), requested()])
        .when(confirm('user-cai'))
        .then([
          confirmed('user-cai'),
          passwordSetBy('user-bo'),
          { type: 'SessionEnded', data: { userId: 'user-anne', sessionId: 'sess-1', reason: 'password_changed' } },
        ]);
      expect(
        fold(userDecider, [anneRegistered, requested(), confirmed('user-cai'), passwordSetBy('user-bo')]),
      ).toMatchObject({
        passwordHash: HASH,
        mustChange: true,
        pendingPasswordReset: null,
        lastClosedPasswordReset: { requestId: 'reset-1', outcome: 'confirmed' },
      });
    });

    it('given Bo’s request, when Bo confirms it himself, then it is refused: a second person is required', () => {
      spec
        .given([anneRegistered, requested()])
        .when(confirm('user-bo'))
        .thenThrows('SECOND_PERSON_REQUIRED', { field: 'confirmedBy', requestedBy: 'user-bo' });
      const state = fold(userDecider, [anneRegistered, requested()]);
      expect(thrownBy(() => userDecider.decide(confirm('user-bo'), state)).kind).toBe('rule_violated');
    });

    it('given Bo’s request, when Anne confirms it (a session of hers still open), then it is refused', () => {
      spec
        .given([anneRegistered, requested()])
        .when(confirm('user-anne'))
        .thenThrows('SECOND_PERSON_REQUIRED', { field: 'confirmedBy', userId: 'user-anne' });
    });

    it('given the operator’s request, when the operator confirms it saying no other administrator exists, then it is set and recorded as without a second person', () => {
      spec
        .given([anneRegistered, requested('reset-1', 'cli')])
        .when(confirm('cli'))
        .thenThrows('SECOND_PERSON_REQUIRED', { requestedBy: 'cli' });
      spec
        .given([anneRegistered, requested('reset-1', 'cli')])
        .when(confirm('cli', { withoutSecondPerson: true }))
        .then([confirmed('cli', 'cli', true), passwordSetBy('cli')]);
    });

    it('given a second person, when the confirmer also says no other administrator exists, then it is recorded as with a second person', () => {
      spec
        .given([anneRegistered, requested()])
        .when(confirm('cli', { withoutSecondPerson: true }))
        .then([confirmed('cli'), passwordSetBy('user-bo')]);
    });

    it('given a request past its expiry, when it is confirmed, then it is refused and nothing changes', () => {
      spec
        .given([anneRegistered, requested()])
        .when(confirm('user-cai', { at: afterExpiry }))
        .thenThrows('PASSWORD_RESET_EXPIRED', { requestId: 'reset-1', expiresAt });
    });

    it('confirms only the request the confirmer saw', () => {
      spec
        .given([anneRegistered, requested()])
        .when(confirm('user-cai', { requestId: 'reset-9' }))
        .thenThrows('PASSWORD_RESET_NOT_FOUND', { requestId: 'reset-9' });
      spec
        .given([anneRegistered, requested(), withdrawn('user-bo')])
        .when(confirm('user-cai'))
        .thenThrows('PASSWORD_RESET_CLOSED', { requestId: 'reset-1', outcome: 'withdrawn' });
    });

    it('is idempotent: confirming a confirmed request again changes nothing', () => {
      spec
        .given([anneRegistered, requested(), confirmed('user-cai'), passwordSetBy('user-bo')])
        .when(confirm('user-cai'))
        .thenNothing();
    });

    it('given Anne locked out, when a reset is confirmed, then it takes effect (the lockout still runs its course)', () => {
      const locked: UserLockedOut = { type: 'UserLockedOut', data: { userId: 'user-anne', until: minutesAfter(30) } };
      const failure: LoginFailed = {
        type: 'LoginFailed',
        data: { userId: 'user-anne', reason: 'bad_password', remoteAddress: null, failuresInWindow: 5, failedAt: at },
      };
      spec
        .given([anneRegistered, failure, locked, requested()])
        .when(confirm('user-cai'))
        .then([confirmed('user-cai'), passwordSetBy('user-bo')]);
    });
  });

  describe('WithdrawPasswordReset', () => {
    it('given a request waiting, when it is withdrawn with a reason, then it no longer waits and no password changes', () => {
      spec
        .given([anneRegistered, requested()])
        .when(withdraw('user-cai'))
        .then([withdrawn('user-cai')]);
      expect(fold(userDecider, [anneRegistered, requested(), withdrawn('user-cai')])).toMatchObject({
        passwordHash: null,
        pendingPasswordReset: null,
        lastClosedPasswordReset: { requestId: 'reset-1', outcome: 'withdrawn' },
      });
    });

    it('requires a reason', () => {
      spec
        .given([anneRegistered, requested()])
        .when(withdraw('user-bo', { reason: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('given a request past its expiry, when it is withdrawn, then it is recorded as expired', () => {
      spec
        .given([anneRegistered, requested()])
        .when(withdraw('user-bo', { at: afterExpiry }))
        .then([expired()]);
      spec.given([anneRegistered, requested(), expired()]).when(withdraw('user-bo')).thenNothing();
    });

    it('is idempotent, and cannot take back a confirmed reset', () => {
      spec
        .given([anneRegistered, requested(), withdrawn('user-bo')])
        .when(withdraw('user-bo'))
        .thenNothing();
      spec
        .given([anneRegistered, requested(), confirmed('user-cai'), passwordSetBy('user-bo')])
        .when(withdraw('user-bo'))
        .thenThrows('PASSWORD_RESET_CLOSED', { outcome: 'confirmed' });
    });
  });

  describe('RecordPasswordResetExpiry (the worker)', () => {
    const recordExpiry = (requestId = 'reset-1', when = afterExpiry): RecordPasswordResetExpiry => ({
      type: 'RecordPasswordResetExpiry',
      userId: 'user-anne',
      requestId,
      at: when,
    });

    it('given a request past its 24 hours, then it is recorded as expired, once', () => {
      spec.given([anneRegistered, requested()]).when(recordExpiry()).then([expired()]);
      spec.given([anneRegistered, requested(), expired()]).when(recordExpiry()).thenNothing();
    });

    it('given a request still waiting, or one confirmed, withdrawn or replaced, then nothing is recorded', () => {
      spec
        .given([anneRegistered, requested()])
        .when(recordExpiry('reset-1', minutesAfter(10)))
        .thenNothing();
      spec
        .given([anneRegistered, requested(), confirmed('user-cai'), passwordSetBy('user-bo')])
        .when(recordExpiry())
        .thenNothing();
      spec
        .given([anneRegistered, requested(), withdrawn('user-bo')])
        .when(recordExpiry())
        .thenNothing();
      spec.given([anneRegistered, requested()]).when(recordExpiry('reset-0')).thenNothing();
    });
  });
});
