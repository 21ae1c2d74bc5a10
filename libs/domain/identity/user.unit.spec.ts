import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { anneRegistered, at, minutesAfter, sessionStarted, thrownBy } from './identity-examples';
import {
  userDecider,
  userStreamName,
  type ChangeUserDetails,
  type DeactivateUser,
  type RegisterUser,
  type UserCommand,
  type UserDeactivated,
} from './user';

const spec = specFor(userDecider);
const { userId: _userId, ...anne } = anneRegistered.data;
const registerAnne: RegisterUser = {
  type: 'RegisterUser',
  userId: 'user-anne',
  ...anne,
  identityVerification: anneRegistered.data.identityVerification!,
  at,
};
const deactivateAnne: DeactivateUser = { type: 'DeactivateUser', userId: 'user-anne', reason: 'Left the unit', at };
const anneDeactivated: UserDeactivated = { type: 'UserDeactivated', data: { userId: 'user-anne' } };

describe('User', () => {
  it('lives in the stream identity.user-<id>', () => {
    expect(userStreamName('user-anne')).toBe('identity.user-user-anne');
  });

  describe('RegisterUser', () => {
    it('registers a user with username, printed name and e-mails', () => {
      spec.given([]).when(registerAnne).then([anneRegistered]);
    });

    it('normalises the username to lower case and trims the printed name', () => {
      spec
        .given([])
        .when({ ...registerAnne, username: ' Anne.Jensen ', printedName: '  Anne Jensen ' })
        .then([anneRegistered]);
    });

    it('stores no e-mails as []', () => {
      spec
        .given([])
        .when({
          type: 'RegisterUser',
          userId: 'user-bo',
          username: 'bon',
          printedName: 'Bo Nielsen',
          legacyUserId: 4,
          identityVerification: anneRegistered.data.identityVerification!,
          at,
        })
        .then([
          {
            type: 'UserRegistered',
            data: {
              userId: 'user-bo',
              username: 'bon',
              printedName: 'Bo Nielsen',
              emails: [],
              legacyUserId: 4,
              identityVerification: anneRegistered.data.identityVerification,
            },
          },
        ]);
    });

    it('records how the person’s identity was verified, and by whom, and keeps it in the state', () => {
      spec.given([]).when(registerAnne).then([anneRegistered]);
      expect(fold(userDecider, [anneRegistered])).toMatchObject({
        identityVerification: {
          method: 'photo-id-in-person',
          reference: 'Passport ending 4711, seen by Bo Nielsen',
          verifiedBy: 'user-bo',
        },
      });
    });

    it('refuses a registration without identity verification, or with a method outside the controlled list, a blank reference or no verifier', () => {
      const { identityVerification, ...unverified } = registerAnne;
      spec
        .given([])
        .when(unverified as RegisterUser)
        .thenThrows('IDENTITY_VERIFICATION_REQUIRED', { field: 'identityVerification' });
      spec
        .given([])
        .when({ ...registerAnne, identityVerification: { ...identityVerification, method: 'trust-me' as never } })
        .thenThrows('INVALID_IDENTITY_VERIFICATION_METHOD', { field: 'identityVerification.method' });
      spec
        .given([])
        .when({ ...registerAnne, identityVerification: { ...identityVerification, reference: '  ' } })
        .thenThrows('FIELD_REQUIRED', { field: 'identityVerification.reference' });
      spec
        .given([])
        .when({ ...registerAnne, identityVerification: { ...identityVerification, verifiedBy: '' } })
        .thenThrows('FIELD_REQUIRED', { field: 'identityVerification.verifiedBy' });
    });

    it('reads a user registered before verification was recorded, with none', () => {
      const { identityVerification: _none, ...earlier } = anneRegistered.data;
      expect(fold(userDecider, [{ type: 'UserRegistered', data: earlier }])).toMatchObject({
        identityVerification: null,
      });
    });

    it.each(['ab', 'a'.repeat(65), 'anne jensen', 'anne@rh', 'æble-kage'])('rejects the username %p', (username) => {
      spec
        .given([])
        .when({ ...registerAnne, username })
        .thenThrows('INVALID_USERNAME', { field: 'username' });
    });

    it('accepts usernames of 3 and 64 characters from a–z, 0–9, dot, underscore and hyphen', () => {
      for (const username of ['a.b', 'x_1-y.z', 'a'.repeat(64)]) {
        spec
          .given([])
          .when({ ...registerAnne, username })
          .then([{ type: 'UserRegistered', data: { ...anneRegistered.data, username } }]);
      }
    });

    it('requires a printed name of at most 100 characters', () => {
      spec
        .given([])
        .when({ ...registerAnne, printedName: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'printedName' });
      spec
        .given([])
        .when({ ...registerAnne, printedName: 'A'.repeat(101) })
        .thenThrows('FIELD_TOO_LONG', { field: 'printedName', maxLength: 100 });
    });

    it('rejects an e-mail address without a domain', () => {
      spec
        .given([])
        .when({ ...registerAnne, emails: ['anne@rh'] })
        .thenThrows('INVALID_EMAIL', { field: 'emails' });
    });

    it('requires a valid user id and instant', () => {
      spec
        .given([])
        .when({ ...registerAnne, userId: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'userId' });
      spec
        .given([])
        .when({ ...registerAnne, at: '2026-03-02 07:00' })
        .thenThrows('INVALID_INSTANT', { field: 'at' });
    });

    it('is idempotent: registering the same user again changes nothing', () => {
      spec.given([anneRegistered]).when(registerAnne).thenNothing();
    });

    it('carries its legacy Users.Id and keeps it for life', () => {
      expect(fold(userDecider, [anneRegistered])).toMatchObject({ legacyUserId: 102 });
      spec
        .given([anneRegistered])
        .when({ ...registerAnne, legacyUserId: 104 })
        .thenNothing();
      spec
        .given([])
        .when({ ...registerAnne, legacyUserId: 0 })
        .thenThrows('INVALID_LEGACY_ID', { field: 'legacyUserId' });
    });

    it('refuses a different user under an existing id', () => {
      spec
        .given([anneRegistered])
        .when({ ...registerAnne, username: 'anne.j' })
        .thenThrows('ALREADY_EXISTS');
      const registered = fold(userDecider, [anneRegistered]);
      expect(thrownBy(() => userDecider.decide({ ...registerAnne, emails: [] }, registered)).kind).toBe('conflict');
    });

    it('never reuses the id of a deactivated user, not even for the same person', () => {
      spec.given([anneRegistered, anneDeactivated]).when(registerAnne).thenThrows('USER_DEACTIVATED');
    });
  });

  describe('ChangeUserDetails', () => {
    const change = (changes: ChangeUserDetails['changes']): ChangeUserDetails => ({
      type: 'ChangeUserDetails',
      userId: 'user-anne',
      changes,
      at,
    });

    it('records the old and new printed name and e-mails', () => {
      spec
        .given([anneRegistered])
        .when(change({ printedName: 'Anne Jensen Holm', emails: ['ajh@rh.example'] }))
        .then([
          {
            type: 'UserDetailsChanged',
            data: {
              userId: 'user-anne',
              changes: {
                printedName: { from: 'Anne Jensen', to: 'Anne Jensen Holm' },
                emails: { from: ['anne.jensen@rh.example'], to: ['ajh@rh.example'] },
              },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([anneRegistered])
        .when(change({ printedName: ' Anne Jensen ', emails: ['anne.jensen@rh.example'] }))
        .thenNothing();
      spec.given([anneRegistered]).when(change({})).thenNothing();
    });

    it('validates the changed fields', () => {
      spec
        .given([anneRegistered])
        .when(change({ printedName: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'printedName' });
    });

    it('fails for a user that does not exist', () => {
      spec
        .given([])
        .when(change({ printedName: 'Anne' }))
        .thenThrows('USER_NOT_FOUND');
      expect(thrownBy(() => userDecider.decide(change({}), fold(userDecider, []))).kind).toBe('not_found');
    });
  });

  describe('DeactivateUser', () => {
    it('deactivates with a reason (which the handler puts in the envelope)', () => {
      spec.given([anneRegistered]).when(deactivateAnne).then([anneDeactivated]);
      spec
        .given([anneRegistered])
        .when({ ...deactivateAnne, reason: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('ends every session still running, so session read models need no rule of their own', () => {
      const expired = sessionStarted('sess-old', minutesAfter(-600), 1);
      spec
        .given([
          anneRegistered,
          expired,
          sessionStarted('sess-1', minutesAfter(-60)),
          sessionStarted('sess-2', minutesAfter(-5)),
        ])
        .when(deactivateAnne)
        .then([
          anneDeactivated,
          { type: 'SessionEnded', data: { userId: 'user-anne', sessionId: 'sess-1', reason: 'deactivated' } },
          { type: 'SessionEnded', data: { userId: 'user-anne', sessionId: 'sess-2', reason: 'deactivated' } },
        ]);
    });

    it('deactivating twice changes nothing', () => {
      spec.given([anneRegistered, anneDeactivated]).when(deactivateAnne).thenNothing();
    });

    it('cannot deactivate a user that does not exist', () => {
      spec.given([]).when(deactivateAnne).thenThrows('USER_NOT_FOUND');
    });

    it('keeps the history: the state still names the user', () => {
      const state = fold(userDecider, [anneRegistered, anneDeactivated]);
      expect(state).toMatchObject({ status: 'deactivated', username: 'anne.jensen', printedName: 'Anne Jensen' });
    });
  });

  describe('a deactivated user', () => {
    const commands: UserCommand[] = [
      { type: 'ChangeUserDetails', userId: 'user-anne', changes: { printedName: 'A' }, at },
      { type: 'GrantRole', userId: 'user-anne', role: 'auditor', at },
      { type: 'RevokeRole', userId: 'user-anne', role: 'auditor', reason: 'r', at },
      {
        type: 'GrantReleaseRight',
        userId: 'user-anne',
        tracerId: 'tracer-fdg',
        expiresOn: null,
        grantedBy: 'user-bo',
        at,
      },
      { type: 'RevokeReleaseRight', userId: 'user-anne', tracerId: 'tracer-fdg', reason: 'r', at },
      { type: 'SetPassword', userId: 'user-anne', passwordHash: '$argon2id$x', setBy: 'user-anne', at },
      {
        type: 'StartSession',
        userId: 'user-anne',
        sessionId: 'sess-1',
        tokenHash: 'sha256:1',
        absoluteTimeoutSeconds: 3600,
        idleTimeoutSeconds: 600,
        at,
      },
      { type: 'EndSession', userId: 'user-anne', sessionId: 'sess-1', reason: 'logout', at },
    ];

    it.each(commands.map((command) => [command.type, command] as const))('refuses %s', (_type, command) => {
      spec.given([anneRegistered, anneDeactivated]).when(command).thenThrows('USER_DEACTIVATED', { id: 'user-anne' });
    });

    it('is refused as a rule, not a conflict', () => {
      const state = fold(userDecider, [anneRegistered, anneDeactivated]);
      expect(thrownBy(() => userDecider.decide(commands[0], state)).kind).toBe('rule_violated');
    });
  });
});
