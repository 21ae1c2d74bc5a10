import request from 'supertest';
import type { EventStore, RecordedEvent } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ADMIN, as, bootApp, createPerson, logIn, VERIFIED_IDENTITY, type BootedApp } from './booted-app';
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

  it('given a site with one administrator, then the operator on the server is the second person: they confirm her request from the cli, and she confirms theirs', async () => {
    const sigridId = await registered('sigrid.shift', 'production');
    const { requestId } = (
      await ann
        .post(`/identity/users/${sigridId}/password`)
        .send({ password: 'Temporary-Passphrase-8', reason: 'first password' })
        .expect(202)
    ).body;

    // When the operator confirms Ann's request from the cli
    const confirmed = await cliOn(app, 'user', 'confirm-password-reset', 'sigrid.shift');
    expect(confirmed.stderr).toBe('');
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain(`password reset ${requestId} of sigrid.shift (requested by ${annId}) confirmed`);
    expect((await logInAs('sigrid.shift', 'Temporary-Passphrase-8').expect(200)).body.user.mustChangePassword).toBe(
      true,
    );

    // When the operator requests one, then it waits for an administrator: the operator cannot confirm it too
    const env = {
      EVENTS_DATABASE: app.config.databases.events,
      RECORD_DATABASE: app.config.databases.record,
      WEB_DATABASE: app.config.databases.web,
    };
    const password = 'Operator-chose-this-9\n';
    const reset = await runCliWithInput(
      env,
      password,
      'user',
      'reset-password',
      'sigrid.shift',
      '--reason',
      'locked out',
    );
    expect(reset.stderr).toBe('');
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('the password waits for an administrator to confirm it');
    const own = await cliOn(app, 'user', 'confirm-password-reset', 'sigrid.shift');
    expect(own.code).toBe(2);
    expect(own.stderr).toContain('the operator requested this reset: an administrator confirms it');
    expect((await logInAs('sigrid.shift', 'Operator-chose-this-9')).status).toBe(401);

    const head = (await app.api.get<EventStore>(EVENT_STORE).headPosition())?.toString();
    const waiting = (await ann.get(`/identity/users/${sigridId}`).query({ minPosition: head }).expect(200)).body
      .pendingPasswordReset;
    expect(waiting).toMatchObject({ requestedBy: 'cli', reason: 'locked out' });
    await ann
      .post(`/identity/users/${sigridId}/password-reset/confirm`)
      .send({ requestId: waiting.requestId })
      .expect(200);
    expect((await logInAs('sigrid.shift', 'Operator-chose-this-9')).status).toBe(200);
  });
});
