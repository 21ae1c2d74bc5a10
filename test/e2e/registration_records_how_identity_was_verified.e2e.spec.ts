import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { ADMIN, as, bootApp, logIn, type BootedApp } from './booted-app';

/**
 * Regression (identity-gmp review, finding 6): `POST /identity/users` made an account that could
 * sign GMP releases without recording who verified the person's identity, or how. gmp.md, Part 11
 * §11.100: "Identity verification at account creation is recorded."
 */
describe('registration records how the identity was verified', () => {
  let app: BootedApp;
  let admin: ReturnType<typeof as>;
  let adminId: string;

  beforeAll(async () => {
    app = await bootApp();
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    adminId = (await admin.get('/auth/me').expect(200)).body.id;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('given an administrator, when a person is registered without identity verification, with a method outside the list, or naming a verifier, then 400 naming the field and nothing is stored', async () => {
    const store = app.api.get<EventStore>(EVENT_STORE);
    const head = (await store.headPosition())?.toString();
    const person = { username: 'unverified.person', printedName: 'Unverified Person' };
    const cases: Array<[object, string]> = [
      [person, 'identityVerification'],
      [{ ...person, identityVerification: { method: 'trust-me', reference: 'x' } }, 'identityVerification.method'],
      [{ ...person, identityVerification: { method: 'employer-record' } }, 'identityVerification.reference'],
      // The first administrator's method is the deployment's own, never a person's registration
      [
        { ...person, identityVerification: { method: 'deployment-setup', reference: 'x' } },
        'identityVerification.method',
      ],
      [
        { ...person, identityVerification: { method: 'employer-record', reference: 'HR 1', verifiedBy: 'someone' } },
        'identityVerification.verifiedBy',
      ],
    ];
    for (const [body, field] of cases) {
      const answer = await admin.post('/identity/users').send(body).expect(400);
      expect(answer.body.error.code).toBe('VALIDATION_FAILED');
      expect(answer.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect((await store.headPosition())?.toString()).toBe(head);
  });

  it('given an administrator, when a person is registered with how their identity was verified, then the record and the user show the method, the reference and the administrator as verifier', async () => {
    const created = await admin
      .post('/identity/users')
      .send({
        username: 'verified.person',
        printedName: 'Verified Person',
        identityVerification: { method: 'photo-id-in-person', reference: 'Passport, last digits 4711' },
      })
      .expect(201);

    const identityVerification = {
      method: 'photo-id-in-person',
      reference: 'Passport, last digits 4711',
      verifiedBy: adminId,
    };
    const [registered] = await app.api.get<EventStore>(EVENT_STORE).readStream(`identity.user-${created.body.id}`);
    expect(registered).toMatchObject({
      type: 'UserRegistered',
      data: { identityVerification },
      metadata: { actor: { id: adminId } },
    });
    const user = await admin
      .get(`/identity/users/${created.body.id}`)
      .query({ minPosition: created.body.position })
      .expect(200);
    expect(user.body.identityVerification).toEqual({ ...identityVerification, verifiedAt: expect.any(String) });
  });

  it('given the first administrator made from the environment, then the record says no person verified it: the deployment made it', async () => {
    const [registered] = await app.api.get<EventStore>(EVENT_STORE).readStream(`identity.user-${adminId}`);
    expect(registered.data).toMatchObject({
      identityVerification: { method: 'deployment-setup', reference: 'environment', verifiedBy: 'system' },
    });
  });
});
