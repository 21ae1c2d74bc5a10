import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { anneRegistered, at, lockoutPolicy, minutesAfter, sessionStarted, thrownBy } from './identity-examples';
import {
  isLockedAt,
  passwordChecksLeft,
  userDecider,
  type UserEvent,
  type UserState,
  type EndSession,
  type LoginFailed,
  type PasswordSet,
  type RecordLoginFailure,
  type RecordSignatureFailure,
  type SetPassword,
  type StartSession,
  type SessionEnded,
  type SessionEndedReason,
  type SignatureAttemptFailed,
  type UserLockedOut,
} from './user';

const spec = specFor(userDecider);

const setPassword = (setBy: string, passwordHash = '$argon2id$v=19$new'): SetPassword => ({
  type: 'SetPassword',
  userId: 'user-anne',
  passwordHash,
  setBy,
  at,
});
const passwordSet = (setBy: string, mustChange: boolean, passwordHash = '$argon2id$v=19$new'): PasswordSet => ({
  type: 'PasswordSet',
  data: { userId: 'user-anne', passwordHash, setBy, mustChange },
});

const failLogin = (failedAt: string, reason: RecordLoginFailure['reason'] = 'bad_password'): RecordLoginFailure => ({
  type: 'RecordLoginFailure',
  userId: 'user-anne',
  reason,
  remoteAddress: '10.0.0.7',
  policy: lockoutPolicy,
  at: failedAt,
});
const loginFailed = (
  failedAt: string,
  failuresInWindow: number,
  reason: LoginFailed['data']['reason'] = 'bad_password',
): LoginFailed => ({
  type: 'LoginFailed',
  data: { userId: 'user-anne', reason, remoteAddress: '10.0.0.7', failuresInWindow, failedAt },
});
const lockedOut = (until: string): UserLockedOut => ({ type: 'UserLockedOut', data: { userId: 'user-anne', until } });
/** `count` bad passwords one minute apart, ending one minute before `at`. */
const badPasswords = (count: number, lastAt = minutesAfter(-1)): LoginFailed[] =>
  Array.from({ length: count }, (_, index) => loginFailed(minutesAfter(index - count + 1, lastAt), index + 1));

const startSession = (sessionAt = at, sessionId = 'sess-1'): StartSession => ({
  type: 'StartSession',
  userId: 'user-anne',
  sessionId,
  tokenHash: `sha256:${sessionId}`,
  absoluteTimeoutSeconds: 8 * 60 * 60,
  idleTimeoutSeconds: 1800,
  remoteAddress: '10.0.0.7',
  at: sessionAt,
});
const endSession = (reason: EndSession['reason'], sessionId = 'sess-1'): EndSession => ({
  type: 'EndSession',
  userId: 'user-anne',
  sessionId,
  reason,
  at,
});
const sessionEnded = (sessionId: string, reason: SessionEndedReason): SessionEnded => ({
  type: 'SessionEnded',
  data: { userId: 'user-anne', sessionId, reason },
});

describe('User login', () => {
  describe('SetPassword', () => {
    it('stores the hash the handler computed; a password set by its owner needs no change', () => {
      spec
        .given([anneRegistered])
        .when(setPassword('user-anne'))
        .then([passwordSet('user-anne', false)]);
    });

    it('refuses a password someone else chose: that is a reset request, which a second person confirms', () => {
      spec
        .given([anneRegistered])
        .when(setPassword('user-bo'))
        .thenThrows('SECOND_PERSON_REQUIRED', { field: 'setBy', userId: 'user-anne' });
    });

    it('makes the owner change a password someone else set (as a confirmed reset records it)', () => {
      const state = fold(userDecider, [anneRegistered, passwordSet('user-bo', true)]);
      expect(state).toMatchObject({ passwordHash: '$argon2id$v=19$new', mustChange: true });
    });

    it('clears the duty to change once the owner sets their own', () => {
      const events = [anneRegistered, passwordSet('user-bo', true)];
      spec
        .given(events)
        .when(setPassword('user-anne', '$argon2id$v=19$own'))
        .then([passwordSet('user-anne', false, '$argon2id$v=19$own')]);
      expect(fold(userDecider, [...events, passwordSet('user-anne', false, '$argon2id$v=19$own')])).toMatchObject({
        mustChange: false,
      });
    });

    it('ends every session still running, but not those already expired', () => {
      spec
        .given([
          anneRegistered,
          sessionStarted('sess-old', minutesAfter(-600), 1),
          sessionStarted('sess-1', minutesAfter(-60)),
          sessionStarted('sess-2', minutesAfter(-5)),
        ])
        .when(setPassword('user-anne'))
        .then([
          passwordSet('user-anne', false),
          sessionEnded('sess-1', 'password_changed'),
          sessionEnded('sess-2', 'password_changed'),
        ]);
    });

    it('leaves no session open in the state', () => {
      const state = fold(userDecider, [
        anneRegistered,
        sessionStarted('sess-1', minutesAfter(-60)),
        passwordSet('user-anne', false),
        sessionEnded('sess-1', 'password_changed'),
      ]);
      expect(state).toMatchObject({ openSessions: {} });
    });

    it('is idempotent: the same hash from the same setter changes nothing', () => {
      spec
        .given([anneRegistered, passwordSet('user-anne', false)])
        .when(setPassword('user-anne'))
        .thenNothing();
    });

    it('is refused to a locked owner, naming the end of the lockout, as a check begun before the lockout may have found the password', () => {
      // Given Anne locked out by five bad passwords
      const events = [anneRegistered, ...badPasswords(5), lockedOut(minutesAfter(14))];
      // When she sets her own password while locked, then it is refused; after the lockout it is not
      spec
        .given(events)
        .when(setPassword('user-anne'))
        .thenThrows('USER_LOCKED', { until: '2026-03-02T07:14:00.000Z' });
      spec
        .given(events)
        .when({ ...setPassword('user-anne'), at: minutesAfter(14) })
        .then([passwordSet('user-anne', false)]);
    });

    it('requires an encoded hash and a setter', () => {
      spec
        .given([anneRegistered])
        .when(setPassword('user-anne', ''))
        .thenThrows('FIELD_REQUIRED', { field: 'passwordHash' });
      spec
        .given([anneRegistered])
        .when(setPassword('user-anne', 'plain text password'))
        .thenThrows('INVALID_HASH', { field: 'passwordHash' });
      spec.given([anneRegistered]).when(setPassword('')).thenThrows('FIELD_REQUIRED', { field: 'setBy' });
    });
  });

  describe('RecordLoginFailure', () => {
    it('records a bad password with the count in the window', () => {
      spec
        .given([anneRegistered])
        .when(failLogin(at))
        .then([loginFailed(at, 1)]);
      spec
        .given([anneRegistered, ...badPasswords(2)])
        .when(failLogin(at))
        .then([loginFailed(at, 3)]);
    });

    it('stores a missing remote address as null', () => {
      spec
        .given([anneRegistered])
        .when({ ...failLogin(at), remoteAddress: undefined })
        .then([{ type: 'LoginFailed', data: { ...loginFailed(at, 1).data, remoteAddress: null } }]);
    });

    it('locks the user out at the fifth bad password within 15 minutes', () => {
      spec
        .given([anneRegistered, ...badPasswords(4)])
        .when(failLogin(at))
        .then([loginFailed(at, 5), lockedOut('2026-03-02T07:15:00.000Z')]);
    });

    it('locks when the oldest failure is just inside the window', () => {
      const events = [anneRegistered, ...badPasswords(4, minutesAfter(-11))];
      expect(events[1]).toEqual(loginFailed('2026-03-02T06:46:00.000Z', 1));
      spec
        .given(events)
        .when(failLogin(at))
        .then([loginFailed(at, 5), lockedOut('2026-03-02T07:15:00.000Z')]);
    });

    it('does not count failures older than the window', () => {
      // The first of these is exactly 15 minutes old: out of the window.
      const events = [anneRegistered, ...badPasswords(4, minutesAfter(-12))];
      expect(events[1]).toEqual(loginFailed('2026-03-02T06:45:00.000Z', 1));
      spec
        .given(events)
        .when(failLogin(at))
        .then([loginFailed(at, 4)]);
      spec
        .given([anneRegistered, ...badPasswords(4, minutesAfter(-60))])
        .when(failLogin(at))
        .then([loginFailed(at, 1)]);
    });

    it('counts only bad passwords towards a lockout', () => {
      const others = (['locked', 'deactivated', 'must_change_password'] as const).map((reason, index) =>
        loginFailed(minutesAfter(-index - 1), 0, reason),
      );
      spec
        .given([anneRegistered, ...others, ...badPasswords(2)])
        .when(failLogin(at))
        .then([loginFailed(at, 3)]);
      spec
        .given([anneRegistered, ...badPasswords(4)])
        .when(failLogin(at, 'must_change_password'))
        .then([loginFailed(at, 4, 'must_change_password')]);
    });

    it('does not extend a running lockout', () => {
      const events = [anneRegistered, ...badPasswords(4, minutesAfter(-3)), lockedOut(minutesAfter(12))];
      spec
        .given(events)
        .when(failLogin(at, 'locked'))
        .then([loginFailed(at, 0, 'locked')]);
      // Bad passwords recorded while locked (a race with the lockout) count, but do not lock again.
      spec
        .given([...events, ...badPasswords(5)])
        .when(failLogin(at))
        .then([loginFailed(at, 6)]);
    });

    it('starts counting afresh after a lockout', () => {
      const events = [anneRegistered, ...badPasswords(5, minutesAfter(-20)), lockedOut(minutesAfter(-5))];
      spec
        .given(events)
        .when(failLogin(at))
        .then([loginFailed(at, 1)]);
    });

    it('follows the policy in the command', () => {
      spec
        .given([anneRegistered, ...badPasswords(2)])
        .when({ ...failLogin(at), policy: { maxFailures: 3, windowSeconds: 300, lockoutSeconds: 3600 } })
        .then([loginFailed(at, 3), lockedOut('2026-03-02T08:00:00.000Z')]);
    });

    it('rejects an unusable policy', () => {
      spec
        .given([anneRegistered])
        .when({ ...failLogin(at), policy: { ...lockoutPolicy, maxFailures: 0 } })
        .thenThrows('INVALID_LOCKOUT_POLICY', { field: 'policy.maxFailures' });
      spec
        .given([anneRegistered])
        .when({ ...failLogin(at), policy: { ...lockoutPolicy, windowSeconds: 1.5 } })
        .thenThrows('INVALID_LOCKOUT_POLICY', { field: 'policy.windowSeconds' });
    });

    it('rejects an unknown reason', () => {
      spec
        .given([anneRegistered])
        .when(failLogin(at, 'typo' as RecordLoginFailure['reason']))
        .thenThrows('INVALID_LOGIN_FAILURE_REASON', { field: 'reason' });
    });

    it('records attempts on a deactivated account (they are what to look for) without locking it', () => {
      const deactivated = { type: 'UserDeactivated', data: { userId: 'user-anne' } } as const;
      spec
        .given([anneRegistered, deactivated, ...badPasswords(4)])
        .when(failLogin(at, 'deactivated'))
        .then([loginFailed(at, 4, 'deactivated')]);
      spec
        .given([anneRegistered, deactivated, ...badPasswords(4)])
        .when(failLogin(at))
        .then([loginFailed(at, 5)]);
    });

    it('fails for a user that does not exist', () => {
      spec.given([]).when(failLogin(at)).thenThrows('USER_NOT_FOUND');
    });
  });

  describe('passwordChecksLeft', () => {
    const left = (events: Parameters<typeof fold<UserState, UserEvent>>[1], when = at) =>
      passwordChecksLeft(fold(userDecider, events), when, lockoutPolicy);

    it('is the wrong passwords the policy still allows within its window', () => {
      expect(left([anneRegistered])).toBe(5);
      expect(left([anneRegistered, ...badPasswords(3)])).toBe(2);
      // Failures older than the window no longer count.
      expect(left([anneRegistered, ...badPasswords(3, minutesAfter(-20))])).toBe(5);
      // Refusals of a locked account test no password, so they do not count.
      expect(left([anneRegistered, loginFailed(minutesAfter(-1), 0, 'locked')])).toBe(5);
    });

    it('is none while locked, and the full allowance once the lockout ends', () => {
      const events = [anneRegistered, ...badPasswords(5), lockedOut(minutesAfter(14))];
      expect(left(events)).toBe(0);
      expect(left(events, minutesAfter(14))).toBe(5);
    });

    it('is none for a user that does not exist', () => {
      expect(left([])).toBe(0);
    });
  });

  describe('StartSession', () => {
    it('opens a session that expires after the absolute timeout', () => {
      spec
        .given([anneRegistered])
        .when(startSession())
        .then([
          {
            type: 'SessionStarted',
            data: {
              userId: 'user-anne',
              sessionId: 'sess-1',
              tokenHash: 'sha256:sess-1',
              expiresAt: '2026-03-02T15:00:00.000Z',
              idleTimeoutSeconds: 1800,
              remoteAddress: '10.0.0.7',
              startedAt: at,
            },
          },
        ]);
      expect(fold(userDecider, [anneRegistered, sessionStarted('sess-1', at)])).toMatchObject({
        openSessions: { 'sess-1': '2026-03-02T15:00:00.000Z' },
      });
    });

    it('is refused while the user is locked out, naming the end of the lockout', () => {
      const events = [anneRegistered, ...badPasswords(5), lockedOut(minutesAfter(14))];
      spec.given(events).when(startSession()).thenThrows('USER_LOCKED', { until: '2026-03-02T07:14:00.000Z' });
      spec
        .given(events)
        .when(startSession(minutesAfter(13)))
        .thenThrows('USER_LOCKED');
      expect(thrownBy(() => userDecider.decide(startSession(), fold(userDecider, events))).kind).toBe('rule_violated');
      expect(isLockedAt(fold(userDecider, events), at)).toBe(true);
    });

    it('is allowed from the end of the lockout on', () => {
      const until = minutesAfter(14);
      const events = [anneRegistered, ...badPasswords(5), lockedOut(until)];
      expect(isLockedAt(fold(userDecider, events), until)).toBe(false);
      spec
        .given(events)
        .when(startSession(until))
        .then([sessionStarted('sess-1', until)]);
    });

    it('resets the failure window and the lockout', () => {
      const events = [anneRegistered, ...badPasswords(4, minutesAfter(-3)), sessionStarted('sess-1', minutesAfter(-2))];
      expect(fold(userDecider, events)).toMatchObject({ recentFailures: [], lockedUntil: null });
      spec
        .given(events)
        .when(failLogin(at))
        .then([loginFailed(at, 1)]);
    });

    it('is refused for a deactivated user', () => {
      spec
        .given([anneRegistered, { type: 'UserDeactivated', data: { userId: 'user-anne' } }])
        .when(startSession())
        .thenThrows('USER_DEACTIVATED');
    });

    it('is allowed while the user must change a password someone else set: that session is how they change it', () => {
      spec
        .given([anneRegistered, passwordSet('user-bo', true)])
        .when(startSession())
        .then([sessionStarted('sess-1', at)]);
    });

    it('is idempotent for the same start, and refuses another start under an open id', () => {
      spec
        .given([anneRegistered, sessionStarted('sess-1', at)])
        .when(startSession())
        .thenNothing();
      spec
        .given([anneRegistered, sessionStarted('sess-1', at)])
        .when(startSession(minutesAfter(1)))
        .thenThrows('SESSION_EXISTS', { field: 'sessionId' });
    });

    it('validates the timeouts: the idle timeout cannot outlast the session', () => {
      spec
        .given([anneRegistered])
        .when({ ...startSession(), absoluteTimeoutSeconds: 0 })
        .thenThrows('INVALID_SESSION_TIMEOUT', { field: 'absoluteTimeoutSeconds' });
      spec
        .given([anneRegistered])
        .when({ ...startSession(), idleTimeoutSeconds: 8 * 60 * 60 + 1 })
        .thenThrows('INVALID_SESSION_TIMEOUT', { field: 'idleTimeoutSeconds', max: 8 * 60 * 60 });
    });

    it('requires a token hash', () => {
      spec
        .given([anneRegistered])
        .when({ ...startSession(), tokenHash: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'tokenHash' });
    });

    it('forgets sessions that had expired by the next start', () => {
      const state = fold(userDecider, [
        anneRegistered,
        sessionStarted('sess-old', minutesAfter(-600), 1),
        sessionStarted('sess-1', minutesAfter(-60)),
        sessionStarted('sess-2', at),
      ]);
      expect(state).toMatchObject({ openSessions: { 'sess-1': minutesAfter(420), 'sess-2': minutesAfter(480) } });
      expect(state.status !== 'absent' && Object.keys(state.openSessions)).toEqual(['sess-1', 'sess-2']);
    });
  });

  describe('EndSession', () => {
    it('ends an open session on logout or revocation', () => {
      spec
        .given([anneRegistered, sessionStarted('sess-1', at)])
        .when(endSession('logout'))
        .then([sessionEnded('sess-1', 'logout')]);
      spec
        .given([anneRegistered, sessionStarted('sess-1', at)])
        .when(endSession('revoked'))
        .then([sessionEnded('sess-1', 'revoked')]);
    });

    it('ending an unknown or ended session changes nothing', () => {
      spec.given([anneRegistered]).when(endSession('logout')).thenNothing();
      spec
        .given([anneRegistered, sessionStarted('sess-1', at), sessionEnded('sess-1', 'logout')])
        .when(endSession('revoked'))
        .thenNothing();
    });

    it('rejects a reason the domain reserves for itself', () => {
      spec
        .given([anneRegistered, sessionStarted('sess-1', at)])
        .when(endSession('password_changed' as EndSession['reason']))
        .thenThrows('INVALID_SESSION_END_REASON', { field: 'reason' });
    });
  });

  describe('RecordSignatureFailure', () => {
    const failSignature: RecordSignatureFailure = {
      type: 'RecordSignatureFailure',
      userId: 'user-anne',
      meaning: 'release',
      reason: 'bad_password',
      policy: lockoutPolicy,
      at,
    };
    const signatureFailed = (
      failuresInWindow: number,
      reason: RecordSignatureFailure['reason'] = 'bad_password',
      failedAt = at,
    ): SignatureAttemptFailed => ({
      type: 'SignatureAttemptFailed',
      data: { userId: 'user-anne', meaning: 'release', reason, failuresInWindow, failedAt },
    });

    it('records the failed attempt with its meaning (Part 11 §11.300)', () => {
      spec
        .given([anneRegistered])
        .when(failSignature)
        .then([signatureFailed(1)]);
    });

    it('names the record that was to be signed, so its audit trail review lists the attempt', () => {
      spec
        .given([anneRegistered])
        .when({ ...failSignature, recordStreamId: 'ordering.deliveryDay-endpoint-1:2026-12-07' })
        .then([
          {
            ...signatureFailed(1),
            data: { ...signatureFailed(1).data, recordStreamId: 'ordering.deliveryDay-endpoint-1:2026-12-07' },
          },
        ]);
    });

    it('records it for a deactivated user too', () => {
      spec
        .given([anneRegistered, { type: 'UserDeactivated', data: { userId: 'user-anne' } }])
        .when({ ...failSignature, reason: 'deactivated' })
        .then([signatureFailed(0, 'deactivated')]);
    });

    it('given four wrong passwords at login, when the fifth is given at a signature, then the user is locked out', () => {
      spec
        .given([anneRegistered, ...badPasswords(4)])
        .when(failSignature)
        .then([signatureFailed(5), lockedOut(minutesAfter(15))]);
    });

    it('given four wrong signature passwords, when a login fails too, then the login lockout counts them', () => {
      const signatures = [1, 2, 3, 4].map((count) => signatureFailed(count, 'bad_password', minutesAfter(count - 5)));
      spec
        .given([anneRegistered, ...signatures])
        .when(failLogin(at))
        .then([loginFailed(at, 5), lockedOut(minutesAfter(15))]);
    });

    it('counts only wrong passwords, and only within the window', () => {
      spec
        .given([anneRegistered, ...badPasswords(4, minutesAfter(-16))])
        .when(failSignature)
        .then([signatureFailed(1)]);
      spec
        .given([anneRegistered, ...badPasswords(4)])
        .when({ ...failSignature, reason: 'missing_right' })
        .then([signatureFailed(4, 'missing_right')]);
    });

    it('given signatures failed before their count was recorded, then they still count nothing', () => {
      const recordedBefore: SignatureAttemptFailed = {
        type: 'SignatureAttemptFailed',
        data: { userId: 'user-anne', meaning: 'release', reason: 'bad_password' },
      };
      expect(fold(userDecider, [anneRegistered, recordedBefore, recordedBefore])).toMatchObject({ recentFailures: [] });
    });

    it('takes meanings and reasons from controlled lists', () => {
      spec
        .given([anneRegistered])
        .when({ ...failSignature, meaning: 'confirm' as RecordSignatureFailure['meaning'] })
        .thenThrows('INVALID_SIGNATURE_MEANING', { field: 'meaning' });
      spec
        .given([anneRegistered])
        .when({ ...failSignature, reason: 'oops' as RecordSignatureFailure['reason'] })
        .thenThrows('INVALID_SIGNATURE_FAILURE_REASON', { field: 'reason' });
    });
  });
});
