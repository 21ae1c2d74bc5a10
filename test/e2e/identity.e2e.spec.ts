import request from 'supertest';
import { verifySignatureBlock } from '@tracershop/auth';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ElectronicSignatures } from '../../apps/api/src/identity/electronic-signatures';
import {
  ADMIN,
  as,
  bootApp,
  INITIAL_PASSWORD,
  logIn,
  setInitialPassword,
  VERIFIED_IDENTITY,
  type BootedApp,
} from './booted-app';
import { answerMismatches, type OpenApiDocument } from './documented-shape';

describe('identity over HTTP', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let adminId: string;
  const anonymous = () => request(app.server);

  beforeAll(async () => {
    app = await bootApp({ LOGIN_MAX_FAILURES: '3', SESSION_IDLE_SECONDS: '30' });
    const token = await logIn(app.server, ADMIN.username, ADMIN.password);
    admin = as(app.server, token);
    adminId = (await admin.get('/auth/me').expect(200)).body.id;
  });

  afterAll(async () => {
    await app?.close();
  });

  /** A person with one role and an initial password they must replace; returns a logged-in client. */
  async function person(username: string, grant: object) {
    const created = await admin
      .post('/identity/users')
      .send({ username, printedName: `Person ${username}`, identityVerification: VERIFIED_IDENTITY })
      .expect(201);
    const id = created.body.id as string;
    await admin.post(`/identity/users/${id}/roles`).send(grant).expect(200);
    await setInitialPassword(app.server, admin, id);
    const token = await logIn(app.server, username, INITIAL_PASSWORD, 'chosen-Passphrase-43');
    return { id, token, client: as(app.server, token) };
  }

  const userEvents = async (userId: string) =>
    (await app.api.get<EventStore>(EVENT_STORE).readStream(`identity.user-${userId}`)).map((event) => event.type);

  it('given a date no calendar has, when a release right expires on it or the audit searches by it, then 400 naming the field', async () => {
    const right = await admin
      .post(`/identity/users/${adminId}/release-rights`)
      .send({ tracerId: 'fdg', expiresOn: '2099-02-30' })
      .expect(400);
    expect(right.body.error.details.fields).toEqual([expect.objectContaining({ field: 'expiresOn' })]);
    const search = await admin.get('/audit/events').query({ deliveryDate: '2026-13-01' }).expect(400);
    expect(search.body.error.details.fields).toEqual([expect.objectContaining({ field: 'deliveryDate' })]);
  });

  it('anonymous calls to a protected route are refused with 401', async () => {
    const response = await anonymous().get('/catalog/tracers').expect(401);
    expect(response.body.error.code).toBe('UNAUTHENTICATED');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it('login sets an HttpOnly SameSite=Strict cookie that authenticates, and logout ends the session', async () => {
    const login = await anonymous()
      .post('/auth/login')
      .send({ username: ADMIN.username, password: ADMIN.password })
      .expect(200);
    const cookie = login.headers['set-cookie'][0] as string;
    expect(cookie).toMatch(/^tracershop_session=tss_[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const sessionCookie = cookie.split(';')[0];
    const me = await anonymous().get('/auth/me').set('cookie', sessionCookie).expect(200);
    expect(me.body).toMatchObject({ kind: 'user', username: ADMIN.username, printedName: ADMIN.printedName });
    expect(me.body.roles).toEqual([{ role: 'admin', customerIds: [], locationIds: [] }]);
    await anonymous().post('/auth/logout').set('cookie', sessionCookie).expect(204);
    const after = await anonymous().get('/auth/me').set('cookie', sessionCookie).expect(401);
    expect(after.body.error.code).toBe('SESSION_ENDED');
  });

  it('wrong passwords are answered alike, recorded as events, and lock the account after the limit', async () => {
    const { id } = await person('lock.target', { role: 'production' });
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await anonymous()
        .post('/auth/login')
        .send({ username: 'lock.target', password: 'not-the-password' })
        .expect(401);
      expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    // Locked: even the right password logs nobody in
    const locked = await anonymous()
      .post('/auth/login')
      .send({ username: 'lock.target', password: 'chosen-Passphrase-43' })
      .expect(401);
    expect(locked.body.error.code).toBe('INVALID_CREDENTIALS');
    const events = await userEvents(id);
    expect(events.filter((type) => type === 'LoginFailed')).toHaveLength(4);
    expect(events).toContain('UserLockedOut');
    const unknown = await anonymous()
      .post('/auth/login')
      .send({ username: 'nobody.here', password: 'whatever-password' })
      .expect(401);
    expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('given a locked account and a username nobody has, when each is tried once more, then the answers are the same, and the lockout holds', async () => {
    // Given an account locked by wrong passwords
    const { id } = await person('probed.name', { role: 'production' });
    const tryLogin = (username: string, password = 'not-the-password') =>
      anonymous().post('/auth/login').send({ username, password });
    for (let attempt = 0; attempt < 3; attempt++) await tryLogin('probed.name').expect(401);
    // When it and an unknown username are tried
    const existing = await tryLogin('probed.name');
    const unknown = await tryLogin('nobody.by.this.name');
    // Then nothing tells the existing account from the unknown name
    expect({ status: existing.status, body: existing.body }).toEqual({ status: unknown.status, body: unknown.body });
    expect(existing.status).toBe(401);
    // And the lockout still holds: the right password logs nobody in, and the attempts are recorded
    expect((await tryLogin('probed.name', 'chosen-Passphrase-43')).body).toEqual(unknown.body);
    const failures = (await app.api.get<EventStore>(EVENT_STORE).readStream(`identity.user-${id}`))
      .filter((event) => event.type === 'LoginFailed')
      .map((event) => (event.data as { reason: string }).reason);
    expect(failures).toEqual(['bad_password', 'bad_password', 'bad_password', 'locked', 'locked']);
  });

  it('wrong current passwords of a password change count towards the lockout, and a locked user changes nothing and cannot log in', async () => {
    // Given a person logged in, and a lockout after three wrong passwords
    const { id, client } = await person('changing.guesser', { role: 'production' });
    const change = (currentPassword: string) =>
      client.post('/auth/password').send({ currentPassword, newPassword: 'guessed-Passphrase-44' });
    // When three password changes are asked with a wrong current password
    for (let attempt = 0; attempt < 3; attempt++) {
      const wrong = await change('not-the-Passphrase-1').expect(401);
      expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    // Then the account is locked: the right password changes nothing, and logs nobody in
    const locked = await change('chosen-Passphrase-43').expect(423);
    expect(locked.body.error).toMatchObject({ code: 'ACCOUNT_LOCKED', details: { until: expect.any(String) } });
    const login = await anonymous()
      .post('/auth/login')
      .send({ username: 'changing.guesser', password: 'chosen-Passphrase-43' })
      .expect(401);
    expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
    const events = await userEvents(id);
    expect(events.filter((type) => type === 'LoginFailed')).toHaveLength(5);
    expect(events.filter((type) => type === 'UserLockedOut')).toHaveLength(1);
    expect(events.filter((type) => type === 'PasswordSet')).toHaveLength(2);
  });

  it('a password set by an administrator must be changed before anything else', async () => {
    const created = await admin
      .post('/identity/users')
      .send({ username: 'new.starter', printedName: 'New Starter', identityVerification: VERIFIED_IDENTITY })
      .expect(201);
    await admin.post(`/identity/users/${created.body.id}/roles`).send({ role: 'production' }).expect(200);
    await setInitialPassword(app.server, admin, created.body.id);
    const login = await anonymous()
      .post('/auth/login')
      .send({ username: 'new.starter', password: 'initial-Passphrase-42' })
      .expect(200);
    expect(login.body.user.mustChangePassword).toBe(true);
    const client = as(app.server, login.body.token);
    await client.get('/auth/me').expect(200);
    const refused = await client.get('/catalog/tracers').expect(403);
    expect(refused.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const weak = await client
      .post('/auth/password')
      .send({ currentPassword: 'initial-Passphrase-42', newPassword: 'new.starter-2026' })
      .expect(400);
    expect(weak.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'newPassword', codes: expect.arrayContaining(['PASSWORD_CONTAINS_USERNAME']) }] },
    });
    const changed = await client
      .post('/auth/password')
      .send({ currentPassword: 'initial-Passphrase-42', newPassword: 'chosen-Passphrase-43' })
      .expect(200);
    // A password change ends every session, this one too, and clears its cookie.
    expect(changed.headers['set-cookie'][0]).toMatch(/^tracershop_session=; .*Max-Age=0/);
    expect((await client.get('/auth/me').expect(401)).body.error.code).toBe('SESSION_ENDED');
  });

  it('given a password an administrator set, when its owner gives it again as the new one, then 400 and it must still be changed', async () => {
    // Given a password an administrator chose, which the administrator therefore knows
    const created = await admin
      .post('/identity/users')
      .send({ username: 'same.again', printedName: 'Same Again', identityVerification: VERIFIED_IDENTITY })
      .expect(201);
    await admin.post(`/identity/users/${created.body.id}/roles`).send({ role: 'releaser' }).expect(200);
    await setInitialPassword(app.server, admin, created.body.id, 'Admin-knows-this-42');
    const logInWithIt = () =>
      anonymous().post('/auth/login').send({ username: 'same.again', password: 'Admin-knows-this-42' }).expect(200);
    const session = as(app.server, (await logInWithIt()).body.token);
    // When its owner "changes" it to the same password
    const same = await session
      .post('/auth/password')
      .send({ currentPassword: 'Admin-knows-this-42', newPassword: 'Admin-knows-this-42' })
      .expect(400);
    // Then it is refused, naming the field, and the duty to replace it stays
    expect(same.body.error).toMatchObject({
      code: 'PASSWORD_UNCHANGED',
      details: { fields: [{ field: 'newPassword', codes: ['PASSWORD_UNCHANGED'] }] },
    });
    expect((await logInWithIt()).body.user.mustChangePassword).toBe(true);
    expect((await userEvents(created.body.id)).filter((type) => type === 'PasswordSet')).toHaveLength(1);
  });

  it('given an administrator, when they reset their own password through the administrators route, then 422 and nothing is stored', async () => {
    // Given an administrator's session
    const before = await userEvents(adminId);
    // When it resets the administrator's own password without giving the current one
    const reset = await admin
      .post(`/identity/users/${adminId}/password`)
      .send({ password: 'Hijacker-chosen-pass-1', reason: 'forgot it' });
    // Then it is refused, pointing at the own-password change, and no password is set
    expect(reset.status).toBe(422);
    expect(reset.body.error.code).toBe('USE_OWN_PASSWORD_CHANGE');
    expect(await userEvents(adminId)).toEqual(before);
  });

  it('given the cookie of a session that has ended, when the login page, login and logout are called with it, then they answer as they would without it', async () => {
    // Given a browser still holding the cookie of a session that has ended
    const first = await anonymous()
      .post('/auth/login')
      .send({ username: ADMIN.username, password: ADMIN.password })
      .expect(200);
    const staleCookie = `tracershop_session=${first.body.token}`;
    await as(app.server, first.body.token).post('/auth/logout').expect(204);
    await anonymous().get('/auth/me').set('cookie', staleCookie).expect(401);
    // When it opens the login page, logs in and logs out with that cookie
    await anonymous().get('/board/login').set('cookie', staleCookie).expect(200);
    const login = await anonymous()
      .post('/auth/login')
      .set('cookie', staleCookie)
      .send({ username: ADMIN.username, password: ADMIN.password })
      .expect(200);
    const logout = await anonymous().post('/auth/logout').set('cookie', staleCookie).expect(204);
    // Then the login sets a new cookie that works, and the logout clears the stale one
    const fresh = (login.headers['set-cookie'][0] as string).split(';')[0];
    expect(fresh).not.toBe(staleCookie);
    await anonymous().get('/auth/me').set('cookie', fresh).expect(200);
    expect(logout.headers['set-cookie'][0]).toMatch(/^tracershop_session=; .*Max-Age=0/);
    // And a credential that is no token at all keeps nobody from a public route either
    await anonymous().get('/health/live').set('authorization', 'Bearer not-a-tracershop-token').expect(200);
  });

  it('a deactivated user is logged out everywhere and cannot log in', async () => {
    const { id, client } = await person('leaving.soon', { role: 'auditor' });
    await admin.post(`/identity/users/${id}/deactivate`).send({ reason: 'left the hospital' }).expect(200);
    await client.get('/auth/me').expect(401);
    await anonymous()
      .post('/auth/login')
      .send({ username: 'leaving.soon', password: 'chosen-Passphrase-43' })
      .expect(401);
    const store = app.api.get<EventStore>(EVENT_STORE);
    const deactivated = (await store.readStream(`identity.user-${id}`)).find(
      (event) => event.type === 'UserDeactivated',
    );
    expect(deactivated?.metadata).toMatchObject({ reason: 'left the hospital', actor: { id: adminId, role: 'admin' } });
  });

  it('bad input is a 400 with the field list, and nothing is stored', async () => {
    const store = app.api.get<EventStore>(EVENT_STORE);
    const head = (await store.headPosition())?.toString();
    const identityVerification = VERIFIED_IDENTITY;
    const cases: Array<[object, string]> = [
      [{ username: 'ok.name', printedName: 'Ok', identityVerification, colour: 'red' }, 'colour'],
      [{ username: 'ok.name', printedName: 'x'.repeat(101), identityVerification }, 'printedName'],
      [{ username: 'ok.name', printedName: 'Ok', identityVerification, emails: ['not-an-address'] }, 'emails'],
      [{ username: 'no spaces allowed', printedName: 'Ok', identityVerification }, 'username'],
    ];
    for (const [body, field] of cases) {
      const response = await admin.post('/identity/users').send(body).expect(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual([field]);
    }
    const { id } = (
      await admin
        .post('/identity/users')
        .send({ username: 'weak.password', printedName: 'Weak Password', identityVerification })
        .expect(201)
    ).body;
    const before = (await store.readStream(`identity.user-${id}`)).length;
    const weak = await admin
      .post(`/identity/users/${id}/password`)
      .send({ password: 'short', reason: 'first password' })
      .expect(400);
    expect(weak.body.error.details.fields[0]).toMatchObject({ field: 'password', codes: ['PASSWORD_TOO_SHORT'] });
    expect(await store.readStream(`identity.user-${id}`)).toHaveLength(before);
    expect(head).toBeDefined();
  });

  it('an administrator may not grant a release right to themselves', async () => {
    const response = await admin
      .post(`/identity/users/${adminId}/release-rights`)
      .send({ tracerId: 'fdg' })
      .expect(422);
    expect(response.body.error.code).toBe('SELF_GRANT_FORBIDDEN');
  });

  it('a shop user sees only its own customers', async () => {
    const mine = await admin
      .post('/catalog/customers')
      .send({ shortName: 'own-hospital', longName: 'Own', dispenserNumber: 41, overheadPercent: 0 })
      .expect(201);
    const other = await admin
      .post('/catalog/customers')
      .send({ shortName: 'other-hospital', longName: 'Other', dispenserNumber: 42, overheadPercent: 0 })
      .expect(201);
    const { client } = await person('shop.user', { role: 'shop', customerIds: [mine.body.id] });
    const list = await client.get('/catalog/customers').query({ minPosition: other.body.position }).expect(200);
    expect(list.body.items.map((item: { id: string }) => item.id)).toEqual([mine.body.id]);
    await client.get(`/catalog/customers/${mine.body.id}`).expect(200);
    expect((await client.get(`/catalog/customers/${other.body.id}`).expect(404)).body.error.code).toBe(
      'CUSTOMER_NOT_FOUND',
    );
    expect((await client.get('/catalog/delivery-endpoints').expect(400)).body.error.code).toBe('FILTER_REQUIRED');
    await client.get('/catalog/delivery-endpoints').query({ customerId: other.body.id }).expect(404);
    await client.get('/catalog/delivery-endpoints').query({ customerId: mine.body.id }).expect(200);
    expect((await client.post('/catalog/customers').send({}).expect(403)).body.error.code).toBe('FORBIDDEN');
  });

  it('an application authenticates with its API token until the token is revoked', async () => {
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Worklist feed', scopes: ['bookings'] })
      .expect(201);
    const issued = await admin
      .post(`/identity/api-clients/${client.body.id}/tokens`)
      .send({ name: 'key 2026' })
      .expect(201);
    expect(issued.body.token).toMatch(/^tsk_/);
    const app1 = as(app.server, issued.body.token);
    expect((await app1.get('/auth/me').expect(200)).body).toMatchObject({ kind: 'application', id: client.body.id });
    const listed = await admin.get('/identity/api-clients').expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    const listedClient = listed.body.items.find((item: { id: string }) => item.id === client.body.id);
    expect(listedClient.tokens).toEqual([
      expect.objectContaining({ tokenId: issued.body.tokenId, name: 'key 2026', lastUsedAt: expect.any(String) }),
    ]);
    await admin
      .post(`/identity/api-clients/${client.body.id}/tokens/${issued.body.tokenId}/revoke`)
      .send({ reason: 'rotated' })
      .expect(200);
    expect((await app1.get('/auth/me').expect(401)).body.error.code).toBe('API_TOKEN_REVOKED');
  });

  it('service endpoints are edited by administrators, with old and new values recorded', async () => {
    const created = await admin
      .post('/identity/service-endpoints')
      .send({ name: 'Worklist', host: 'ris.local', port: 2575, protocol: 'hl7-mllp' })
      .expect(201);
    const changed = await admin
      .patch(`/identity/service-endpoints/${created.body.id}`)
      .send({ port: 2576 })
      .expect(200);
    const read = await admin
      .get(`/identity/service-endpoints/${created.body.id}`)
      .query({ minPosition: changed.body.position })
      .expect(200);
    expect(read.body).toMatchObject({ host: 'ris.local', port: 2576, protocol: 'hl7-mllp' });
    const [, event] = await app.api
      .get<EventStore>(EVENT_STORE)
      .readStream(`identity.serviceEndpoint-${created.body.id}`);
    expect(event.data).toMatchObject({ changes: { port: { from: 2575, to: 2576 } } });
  });

  it('every identity read answers what the OpenAPI document describes, and none shows a secret', async () => {
    // Given a person with a customer-scoped role, a release right and a failed login, an API
    // client whose token has been used, and a service endpoint
    const shopper = await person('shape.shopper', { role: 'shop', customerIds: ['cust-shape'] });
    await admin.post(`/identity/users/${shopper.id}/roles`).send({ role: 'releaser' }).expect(200);
    await admin
      .post(`/identity/users/${shopper.id}/release-rights`)
      .send({ tracerId: 'fdg', expiresOn: '2099-12-31' })
      .expect(200);
    await anonymous().post('/auth/login').send({ username: 'shape.shopper', password: 'not-it' }).expect(401);
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Shape feed', customerIds: ['cust-shape'], scopes: ['orders:read'] })
      .expect(201);
    const issued = await admin.post(`/identity/api-clients/${client.body.id}/tokens`).send({ name: 'key' }).expect(201);
    await as(app.server, issued.body.token).get('/auth/me').expect(200);
    const endpoint = await admin
      .post('/identity/service-endpoints')
      .send({ name: 'Shape worklist', host: 'ris.local', port: 2575, protocol: 'hl7-mllp' })
      .expect(201);
    const openApi = (await admin.get('/docs/openapi.json').expect(200)).body as OpenApiDocument;

    // When each read is asked, then its answer has exactly the keys its schema documents, at every depth
    const reads: string[] = [
      '/auth/me',
      '/identity/users',
      `/identity/users/${shopper.id}`,
      `/identity/users/${shopper.id}/login-failures`,
      '/identity/api-clients',
      '/identity/service-endpoints',
      `/identity/service-endpoints/${endpoint.body.id}`,
      '/identity/customer-access/cust-shape',
    ];
    for (const path of reads) {
      const answer = await admin.get(path).query({ minPosition: endpoint.body.position }).expect(200);
      if ('items' in answer.body) expect([path, answer.body.items.length > 0]).toEqual([path, true]);
      expect([path, answerMismatches(openApi, path, answer.body)]).toEqual([path, []]);
      // Hashes of passwords (scrypt) and tokens are never answered
      expect([path, JSON.stringify(answer.body)]).not.toEqual([
        path,
        expect.stringMatching(/scrypt|passwordHash|tokenHash/),
      ]);
    }
    // An application is described by the same document (its role is `application`)
    const application = await as(app.server, issued.body.token).get('/auth/me').expect(200);
    expect(application.body.roles).toEqual([expect.objectContaining({ role: 'application' })]);
    expect(answerMismatches(openApi, '/auth/me', application.body)).toEqual([]);
  });

  describe('electronic signatures', () => {
    /** What the signing step is called with inside a request of this person. */
    const commandContextOf = (me: { id: string; printedName: string }, role: string) => ({
      actor: { kind: 'user' as const, id: me.id, printedName: me.printedName, role },
      correlationId: 'c',
      causationId: 'c',
    });

    it('re-authenticate the signer, check the release right, and record failed attempts', async () => {
      const releaser = await person('qp.person', { role: 'releaser' });
      const signatures = app.api.get(ElectronicSignatures);
      const me = (await releaser.client.get('/auth/me').expect(200)).body;
      const principal = { ...me, credentialId: 'signing-test-session' };
      const context = commandContextOf(me, 'releaser');
      const record = {
        streamId: 'ordering.slotDay-1',
        content: { orders: ['o1'], lots: ['FDG-261122-1'] },
        contentVersion: 2,
      };

      await expect(
        signatures.sign(
          { principal, username: 'qp.person', password: 'wrong', meaning: 'release', tracerId: 'fdg', ...record },
          context,
        ),
      ).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
      await expect(
        signatures.sign(
          {
            principal,
            username: 'qp.person',
            password: 'chosen-Passphrase-43',
            meaning: 'release',
            tracerId: 'fdg',
            ...record,
          },
          context,
        ),
      ).rejects.toMatchObject({ code: 'NO_RELEASE_RIGHT' });
      await expect(
        signatures.sign(
          { principal, username: ADMIN.username, password: 'chosen-Passphrase-43', meaning: 'review', ...record },
          context,
        ),
      ).rejects.toMatchObject({ code: 'SIGNATURE_NOT_SESSION_USER' });

      await admin
        .post(`/identity/users/${releaser.id}/release-rights`)
        .send({ tracerId: 'fdg', expiresOn: '2099-12-31' })
        .expect(200);
      const block = await signatures.sign(
        {
          principal,
          username: 'qp.person',
          password: 'chosen-Passphrase-43',
          meaning: 'release',
          tracerId: 'fdg',
          ...record,
        },
        context,
      );
      expect(block).toMatchObject({
        signerId: releaser.id,
        printedName: 'Person qp.person',
        meaning: 'release',
        contentVersion: 2,
      });
      expect(verifySignatureBlock(block, record.streamId, record.content)).toBe(true);
      // Within the continuous signing session the password alone is enough.
      await signatures.sign({ principal, password: 'chosen-Passphrase-43', meaning: 'review', ...record }, context);

      const events = await userEvents(releaser.id);
      expect(events.filter((type) => type === 'SignatureAttemptFailed')).toHaveLength(3);
    });

    it('wrong signature passwords count towards the lockout, and a locked user signs nothing and cannot log in', async () => {
      // Given a releaser logged in, and a lockout after three wrong passwords
      const signer = await person('locked.signer', { role: 'releaser' });
      const me = (await signer.client.get('/auth/me').expect(200)).body;
      const context = commandContextOf(me, 'releaser');
      const sign = (password: string) =>
        app.api.get(ElectronicSignatures).sign(
          {
            principal: { ...me, credentialId: 'locking-session' },
            username: 'locked.signer',
            password,
            meaning: 'review',
            streamId: 's',
            content: {},
            contentVersion: 2,
          },
          context,
        );
      // When three signatures are given with a wrong password
      for (let attempt = 0; attempt < 3; attempt++) {
        await expect(sign('not-the-Passphrase-1')).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
      }
      // Then the account is locked: the right password signs nothing, and logs nobody in
      await expect(sign('chosen-Passphrase-43')).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
      const login = await anonymous()
        .post('/auth/login')
        .send({ username: 'locked.signer', password: 'chosen-Passphrase-43' })
        .expect(401);
      expect(login.body.error.code).toBe('INVALID_CREDENTIALS');
      const events = await userEvents(signer.id);
      expect(events.filter((type) => type === 'SignatureAttemptFailed')).toHaveLength(4);
      expect(events).toContain('UserLockedOut');
    });

    it('the first signature of a session needs the username too', async () => {
      const reviewer = await person('second.reviewer', { role: 'production' });
      const me = (await reviewer.client.get('/auth/me').expect(200)).body;
      const context = commandContextOf(me, 'production');
      await expect(
        app.api.get(ElectronicSignatures).sign(
          {
            principal: { ...me, credentialId: 'fresh-session' },
            password: 'chosen-Passphrase-43',
            meaning: 'review',
            streamId: 's',
            content: {},
            contentVersion: 2,
          },
          context,
        ),
      ).rejects.toMatchObject({ code: 'SIGNATURE_USERNAME_REQUIRED' });
    });
  });
});
