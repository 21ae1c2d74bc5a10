import request from 'supertest';
import type { EventStore, RecordedEvent } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import {
  ADMIN,
  as,
  bootApp,
  createPerson,
  logIn,
  PERSON_PASSWORD,
  VERIFIED_IDENTITY,
  type BootedApp,
} from './booted-app';
import { cliOn, runCliWithInput } from './cli-process';

/**
 * Regression (identity-gmp review, finding 2): an administrator reset a person's password to a value
 * they chose, logged in as the person and "changed" it, and so held a working password for any
 * account; with an administrator account of their own making, they granted themselves a release
 * right. gmp.md, Part 11 §11.200(a): "Administrators cannot set a user's password to a value they
 * know without a second person."
 */
describe('a password someone else chose needs a second person', () => {
  let app: BootedApp;
  let ann: ReturnType<typeof as>;
  let annId: string;
  let bea: { id: string; client: ReturnType<typeof as> };

  const userEvents = async (userId: string): Promise<RecordedEvent[]> =>
    app.api.get<EventStore>(EVENT_STORE).readStream(`identity.user-${userId}`);
  const logInAs = (username: string, password: string) =>
    request(app.server).post('/auth/login').send({ username, password });
  const registered = async (username: string, role: string) => {
    const created = await ann
      .post('/identity/users')
      .send({ username, printedName: `Person ${username}`, identityVerification: VERIFIED_IDENTITY })
      .expect(201);
    await ann.post(`/identity/users/${created.body.id}/roles`).send({ role }).expect(200);
    return created.body.id as string;
  };

  beforeAll(async () => {
    app = await bootApp();
    // Ann, the first administrator, and Bea, a second one (her first password confirmed by the operator)
    ann = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    annId = (await ann.get('/auth/me').expect(200)).body.id;
    bea = await createPerson(app.server, ann, 'bea.admin', { role: 'admin' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given Ann requests a temporary password for Rita with a reason, then nothing is in force until Bea confirms it; Ann cannot confirm her own request', async () => {
    const ritaId = await registered('rita.releaser', 'releaser');

    // When Ann requests a password for Rita
    const requested = await ann
      .post(`/identity/users/${ritaId}/password`)
      .send({ password: 'Temporary-Passphrase-7', reason: 'first password (ticket 4711)' })
      .expect(202);
    expect(requested.body).toMatchObject({ id: ritaId, requestId: expect.any(String), expiresAt: expect.any(String) });
    const { requestId } = requested.body;

    // Then it waits: Rita cannot log in with it, and the user shows the request
    expect((await logInAs('rita.releaser', 'Temporary-Passphrase-7')).status).toBe(401);
    const waiting = await ann.get(`/identity/users/${ritaId}`).expect(200);
    expect(waiting.body).toMatchObject({
      mustChangePassword: false,
      pendingPasswordReset: { requestId, requestedBy: annId, reason: 'first password (ticket 4711)' },
    });

    // When Ann confirms it herself, then it is refused and nothing is recorded
    const before = (await userEvents(ritaId)).length;
    const alone = await ann.post(`/identity/users/${ritaId}/password-reset/confirm`).send({ requestId }).expect(422);
    expect(alone.body.error).toMatchObject({ code: 'SECOND_PERSON_REQUIRED', details: { requestedBy: annId } });
    expect(await userEvents(ritaId)).toHaveLength(before);

    // When Bea confirms it, then it is in force, and Rita must replace it at her first login
    await bea.client.post(`/identity/users/${ritaId}/password-reset/confirm`).send({ requestId }).expect(200);
    const login = await logInAs('rita.releaser', 'Temporary-Passphrase-7').expect(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    expect((await ann.get(`/identity/users/${ritaId}`).expect(200)).body).toMatchObject({
      passwordSetBy: annId,
      passwordConfirmedBy: bea.id,
      pendingPasswordReset: null,
    });

    // And the record names both persons, the reason, and who chose the password
    const events = await userEvents(ritaId);
    const of = (type: string) => events.find((event) => event.type === type);
    expect(of('PasswordResetRequested')).toMatchObject({
      data: { requestId, requestedBy: annId },
      metadata: { reason: 'first password (ticket 4711)', actor: { id: annId } },
    });
    expect(of('PasswordResetConfirmed')).toMatchObject({
      data: { requestId, requestedBy: annId, confirmedBy: bea.id, withoutSecondPerson: false },
      metadata: { actor: { id: bea.id } },
    });
    expect(of('PasswordSet')?.data).toMatchObject({ setBy: annId, mustChange: true });
  });

  it('given Ann makes an administrator account of her own, when she requests its password, then she alone can never log in with it: a second request waits on the first, Bea withdraws it, and it cannot be confirmed after', async () => {
    // Given a second administrator account Ann made, with a password she chose
    const puppetId = await registered('ann.other', 'admin');
    const { requestId } = (
      await ann
        .post(`/identity/users/${puppetId}/password`)
        .send({ password: 'Known-to-her-only-1', reason: 'new colleague' })
        .expect(202)
    ).body;

    // When Ann confirms it, or makes another request, then both are refused
    await ann.post(`/identity/users/${puppetId}/password-reset/confirm`).send({ requestId }).expect(422);
    const again = await ann
      .post(`/identity/users/${puppetId}/password`)
      .send({ password: 'Known-to-her-only-2', reason: 'another try' })
      .expect(409);
    expect(again.body.error).toMatchObject({ code: 'PASSWORD_RESET_PENDING', details: { requestId } });
    // So the account never logs in with a password only Ann knows (and never grants her a right)
    expect((await logInAs('ann.other', 'Known-to-her-only-1')).status).toBe(401);

    // When Bea withdraws the request with a reason, then it can no longer be confirmed
    await bea.client
      .post(`/identity/users/${puppetId}/password-reset/withdraw`)
      .send({ requestId, reason: 'nobody by that name works here' })
      .expect(200);
    const late = await bea.client
      .post(`/identity/users/${puppetId}/password-reset/confirm`)
      .send({ requestId })
      .expect(409);
    expect(late.body.error).toMatchObject({ code: 'PASSWORD_RESET_CLOSED', details: { outcome: 'withdrawn' } });
    const withdrawn = (await userEvents(puppetId)).find((event) => event.type === 'PasswordResetWithdrawn');
    expect(withdrawn).toMatchObject({
      data: { requestId, withdrawnBy: bea.id },
      metadata: { reason: 'nobody by that name works here' },
    });
    expect((await logInAs('ann.other', 'Known-to-her-only-1')).status).toBe(401);
  });

  it('given the cli, then it acts as an administrator who names herself and proves it: Bea confirms Ann’s request from it, and one Bea requests from it waits for another administrator', async () => {
    const sigridId = await registered('sigrid.shift', 'production');
    const { requestId } = (
      await ann
        .post(`/identity/users/${sigridId}/password`)
        .send({ password: 'Temporary-Passphrase-8', reason: 'first password' })
        .expect(202)
    ).body;
    const env = {
      EVENTS_DATABASE: app.config.databases.events,
      RECORD_DATABASE: app.config.databases.record,
      WEB_DATABASE: app.config.databases.web,
    };
    const asBea = (input: string, ...args: string[]) => runCliWithInput(env, input, ...args, '--as', 'bea.admin');

    // When someone at the shell confirms it without naming themselves, or as Bea with a wrong password
    const anonymous = await cliOn(app, 'user', 'confirm-password-reset', 'sigrid.shift');
    const guessed = await asBea('not-her-password\n', 'user', 'confirm-password-reset', 'sigrid.shift');
    // Then nothing is confirmed, and the wrong password counts against Bea's account as at login
    expect(anonymous.code).toBe(2);
    expect(anonymous.stderr).toContain('an administrator exists: run user commands as one, --as <your username>');
    expect(guessed.code).toBe(2);
    expect(guessed.stderr).toContain('--as bea.admin: no active account with that username and password');
    expect((await logInAs('sigrid.shift', 'Temporary-Passphrase-8')).status).toBe(401);
    expect((await userEvents(bea.id)).at(-1)).toMatchObject({
      type: 'LoginFailed',
      data: { reason: 'bad_password' },
      metadata: { actor: { kind: 'user', id: bea.id } },
    });

    // When Bea confirms Ann's request from the cli with her password
    const confirmed = await asBea(`${PERSON_PASSWORD}\n`, 'user', 'confirm-password-reset', 'sigrid.shift');
    expect(confirmed.stderr).toBe('');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`password reset ${requestId} of sigrid.shift (requested by ${annId}) confirmed`);
    // Then it is in force, confirmed by Bea herself
    expect((await logInAs('sigrid.shift', 'Temporary-Passphrase-8').expect(200)).body.user.mustChangePassword).toBe(
      true,
    );
    expect((await userEvents(sigridId)).find((event) => event.type === 'PasswordResetConfirmed')).toMatchObject({
      data: { requestId, requestedBy: annId, confirmedBy: bea.id, withoutSecondPerson: false },
      metadata: { actor: { kind: 'user', id: bea.id, printedName: 'Person bea.admin', role: 'admin' } },
    });

    // When Bea requests one from the cli, then it waits for another administrator: she cannot confirm it too
    const reset = await asBea(
      `${PERSON_PASSWORD}\nBea-chose-this-9\n`,
      'user',
      'reset-password',
      'sigrid.shift',
      '--reason',
      'locked out',
    );
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('the password waits for an administrator to confirm it');
    const own = await asBea(`${PERSON_PASSWORD}\n`, 'user', 'confirm-password-reset', 'sigrid.shift');
    expect(own.code).toBe(2);
    expect(own.stderr).toContain('the operator requested this reset: another administrator confirms it');
    expect((await logInAs('sigrid.shift', 'Bea-chose-this-9')).status).toBe(401);

    const head = (await app.api.get<EventStore>(EVENT_STORE).headPosition())?.toString();
    const waiting = (await ann.get(`/identity/users/${sigridId}`).query({ minPosition: head }).expect(200)).body
      .pendingPasswordReset;
    expect(waiting).toMatchObject({ requestedBy: bea.id, reason: 'locked out' });
    await ann
      .post(`/identity/users/${sigridId}/password-reset/confirm`)
      .send({ requestId: waiting.requestId })
      .expect(200);
    expect((await logInAs('sigrid.shift', 'Bea-chose-this-9')).status).toBe(200);
  });

  it('given Ann is the only administrator left, when she resets a password from the cli, then it is set at once and recorded as without a second person, by her', async () => {
    // (Bea and the administrator account Ann made for herself are deactivated)
    const adminIds = ((await ann.get('/identity/users').expect(200)).body.items as { id: string; username: string }[])
      .filter((user) => ['bea.admin', 'ann.other'].includes(user.username))
      .map((user) => user.id);
    expect(adminIds).toHaveLength(2);
    for (const id of adminIds) {
      await ann.post(`/identity/users/${id}/deactivate`).send({ reason: 'no longer an administrator' }).expect(200);
    }
    const tomId = await registered('tom.shift', 'production');
    const env = {
      EVENTS_DATABASE: app.config.databases.events,
      RECORD_DATABASE: app.config.databases.record,
      WEB_DATABASE: app.config.databases.web,
    };

    const reset = await runCliWithInput(
      env,
      `${ADMIN.password}\nAnn-chose-this-10\n`,
      'user',
      'reset-password',
      'tom.shift',
      '--reason',
      'first password, night shift',
      '--as',
      ADMIN.username,
    );

    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('recorded as without a second person');
    expect((await logInAs('tom.shift', 'Ann-chose-this-10')).status).toBe(200);
    expect((await userEvents(tomId)).find((event) => event.type === 'PasswordResetConfirmed')).toMatchObject({
      data: { requestedBy: annId, confirmedBy: annId, withoutSecondPerson: true },
      metadata: { actor: { kind: 'user', id: annId, role: 'admin' } },
    });
  });
});
