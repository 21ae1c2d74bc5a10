import request, { type Response } from 'supertest';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ElectronicSignatures } from '../../apps/api/src/identity/electronic-signatures';
import { ADMIN, as, bootApp, createPerson, logIn, PERSON_PASSWORD, type BootedApp } from './booted-app';

/**
 * Regression: each password check used to read the lockout from its own copy of the user, so a
 * burst of guesses was tested in full, most failures were lost to write conflicts (409), and a right
 * guess could change the password after the lockout. The lockout allows 5 wrong passwords here.
 */
describe('password guesses sent in parallel stay within the lockout', () => {
  const MAX_FAILURES = 5;
  const GUESSES = 20;
  let app: BootedApp;
  let admin: ReturnType<typeof as>;

  beforeAll(async () => {
    // Behind a proxy the per-address limit is off, as the README advises: only the account lockout holds.
    app = await bootApp({ LOGIN_ADDRESS_MAX_FAILURES: '0', LOGIN_MAX_FAILURES: String(MAX_FAILURES) });
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
  });

  afterAll(async () => {
    await app?.close();
  });

  const userEvents = (userId: string) => app.api.get<EventStore>(EVENT_STORE).readStream(`identity.user-${userId}`);
  const wrongGuesses = Array.from({ length: GUESSES }, (_, index) => `wrong-guess-number-${index}`);
  const answered = (responses: Response[], status: number, code?: string) =>
    responses.filter(
      (response) => response.status === status && (code === undefined || response.body.error?.code === code),
    ).length;
  const badPasswordsRecorded = (events: Awaited<ReturnType<typeof userEvents>>, type: string) =>
    events.filter((event) => event.type === type && (event.data as { reason: string }).reason === 'bad_password')
      .length;

  /** Signs with `password` as the person, within their session; answers SIGNED or the refusal's code. */
  async function signerOf(person: Awaited<ReturnType<typeof createPerson>>, username: string) {
    const me = (await person.client.get('/auth/me').expect(200)).body;
    const context = {
      actor: { kind: 'user' as const, id: me.id, printedName: me.printedName, role: 'releaser' },
      correlationId: 'c',
      causationId: 'c',
    };
    const signatures = app.api.get(ElectronicSignatures);
    return (password: string, streamId = 's') =>
      signatures
        .sign(
          {
            principal: { ...me, credentialId: 'burst-session' },
            username,
            password,
            meaning: 'review',
            streamId,
            content: {},
            contentVersion: 2,
          },
          context,
        )
        .then(
          () => 'SIGNED',
          (error: { code?: string }) => error.code,
        );
  }

  it('given a stolen session, when wrong current passwords and the right one are sent at once, then at most the limit are tested, each is recorded, and no password changes after the lockout', async () => {
    // Given a person's session
    const person = await createPerson(app.server, admin, 'burst.changer', { role: 'production' });
    // When twenty wrong current passwords and the right one are sent together
    const responses = await Promise.all(
      [...wrongGuesses, PERSON_PASSWORD].map((currentPassword) =>
        person.client.post('/auth/password').send({ currentPassword, newPassword: 'Attacker-chosen-pass-99' }),
      ),
    );
    // Then only the limit's worth of passwords were tested; the rest were refused as locked
    const testedWrong = answered(responses, 401, 'INVALID_CREDENTIALS');
    expect(testedWrong + answered(responses, 200)).toBeLessThanOrEqual(MAX_FAILURES);
    expect(answered(responses, 409)).toBe(0);
    const events = await userEvents(person.id);
    // And every wrong password tested is a recorded failure
    expect(badPasswordsRecorded(events, 'LoginFailed')).toBe(testedWrong);
    // And no password was set once the account was locked
    const types = events.map((event) => event.type);
    const lockedAt = types.indexOf('UserLockedOut');
    expect(lockedAt < 0 ? [] : types.slice(lockedAt)).not.toContain('PasswordSet');
  });

  it('given a username, when wrong passwords and the right one are sent to login at once, then at most the limit are tested, and every refusal is the one answer and is recorded', async () => {
    // Given a person
    const person = await createPerson(app.server, admin, 'burst.login', { role: 'production' });
    // When twenty wrong passwords and the right one are sent to login together
    const responses = await Promise.all(
      [...wrongGuesses, PERSON_PASSWORD].map((password) =>
        request(app.server).post('/auth/login').send({ username: 'burst.login', password }),
      ),
    );
    // Then every refusal is the wrong-password answer, never a conflict or a hint of a lockout
    const refused = answered(responses, 401, 'INVALID_CREDENTIALS');
    expect(refused + answered(responses, 200)).toBe(GUESSES + 1);
    // And each refusal is recorded, but only the limit's worth of passwords were tested
    const events = await userEvents(person.id);
    expect(events.filter((event) => event.type === 'LoginFailed')).toHaveLength(refused);
    expect(badPasswordsRecorded(events, 'LoginFailed') + answered(responses, 200)).toBeLessThanOrEqual(MAX_FAILURES);
  });

  it('given a releaser, when wrong signature passwords are given at once, then at most the limit are tested, and every attempt is recorded', async () => {
    // Given a person signing within their session
    const person = await createPerson(app.server, admin, 'burst.signer', { role: 'releaser' });
    const sign = await signerOf(person, 'burst.signer');
    // When twenty signatures are given with wrong passwords together
    const outcomes = await Promise.all(wrongGuesses.map((password) => sign(password)));
    // Then only the limit's worth were tested, the rest refused as locked
    const tested = outcomes.filter((code) => code === 'SIGNATURE_INVALID').length;
    expect(tested).toBeLessThanOrEqual(MAX_FAILURES);
    expect(outcomes.filter((code) => code === 'ACCOUNT_LOCKED')).toHaveLength(GUESSES - tested);
    // And every attempt is a recorded failure
    const events = await userEvents(person.id);
    expect(events.filter((event) => event.type === 'SignatureAttemptFailed')).toHaveLength(GUESSES);
    expect(badPasswordsRecorded(events, 'SignatureAttemptFailed')).toBe(tested);
  });

  it('given a releaser, when the right password signs many records at once, then every signature passes and no failure is recorded', async () => {
    // Given a person signing within their session
    const person = await createPerson(app.server, admin, 'burst.releaser', { role: 'releaser' });
    const sign = await signerOf(person, 'burst.releaser');
    // When four times the lockout's limit of signatures are given the right password together
    const outcomes = await Promise.all(
      Array.from({ length: MAX_FAILURES * 4 }, (_, index) => sign(PERSON_PASSWORD, `s-${index}`)),
    );
    // Then every one is signed: checks beyond the limit waited for the others rather than being refused
    expect(outcomes.filter((code) => code !== 'SIGNED')).toEqual([]);
    const events = await userEvents(person.id);
    expect(events.filter((event) => event.type === 'SignatureAttemptFailed')).toEqual([]);
  });
});
