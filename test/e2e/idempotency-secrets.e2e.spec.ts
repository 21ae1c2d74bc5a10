import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import { canonicalJson } from '@tracershop/event-store';
import { CARRIES_SECRET, registeredRoutes } from '@tracershop/platform';
import {
  ADMIN,
  as,
  bootApp,
  createPerson,
  fdgCatalogue,
  fdgVialTypedIn,
  logIn,
  monday,
  PERSON_PASSWORD,
  type BootedApp,
} from './booted-app';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
// Session (`tss_`) and API (`tsk_`) tokens as `issueToken` makes them.
const TOKEN = /ts[sk]_[A-Za-z0-9_-]{20,}/;

/** The routes whose request or answer is itself a secret: never replayed, so never kept in Redis. */
const secretRoutes = [
  'POST /auth/login',
  'POST /auth/password',
  'POST /identity/api-clients/:id/tokens',
  'POST /identity/users/:id/password',
];

describe('an Idempotency-Key never makes Redis keep a token or a hash of a password', () => {
  let app: BootedApp;
  let redis: Redis;
  let admin: ReturnType<typeof as>;
  let rita: { id: string; token: string; client: ReturnType<typeof as> };
  let release: Record<string, unknown>;

  const idempotencyValues = async () => {
    const keys = await redis.keys(`tracershop:${app.config.databases.events}:idempotency:*`);
    return keys.length === 0 ? [] : ((await redis.mget(...keys)) as string[]);
  };

  beforeAll(async () => {
    app = await bootApp();
    redis = new Redis(app.config.redisUrl);
    admin = as(app.server, await logIn(app.server, ADMIN.username, ADMIN.password));
    const date = monday(3);
    const { fdg, slotId } = await fdgCatalogue(admin, { weekday: 1 });
    const production = await createPerson(app.server, admin, 'paula.production', { role: 'production' });
    rita = await createPerson(app.server, admin, 'rita.releaser', { role: 'releaser' });
    await admin.post(`/identity/users/${rita.id}/release-rights`).send({ tracerId: fdg }).expect(200);
    const placed = await production.client
      .post('/ordering/activity-orders')
      .send({ slotId, deliveryDate: date, activityMBq: 1000 })
      .expect(201);
    await production.client.post(`/ordering/orders/${placed.body.id}/accept`).expect(200);
    const vialId = await fdgVialTypedIn(production.client, date);
    release = {
      slotId,
      deliveryDate: date,
      orderIds: [placed.body.id],
      vialIds: [vialId],
      confirmOtherDate: true,
    };
  }, 60_000);

  afterAll(async () => {
    redis?.disconnect();
    await app?.close();
  });

  it('given a login with an Idempotency-Key, then it is refused with 400 and no idempotency entry holds a session token', async () => {
    const answer = await request(app.server)
      .post('/auth/login')
      .set('idempotency-key', 'login-1')
      .send({ username: ADMIN.username, password: ADMIN.password });

    const values = await idempotencyValues();
    for (const value of values) expect(value).not.toMatch(TOKEN);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({
      code: 'IDEMPOTENCY_KEY_NOT_ACCEPTED',
      message: expect.stringContaining('Idempotency-Key'),
      details: { reason: expect.any(String) },
    });
    expect(answer.body.token).toBeUndefined();
  });

  it('given an API token issued with an Idempotency-Key, then it is refused with 400 and no idempotency entry holds the token', async () => {
    const client = await admin
      .post('/identity/api-clients')
      .send({ name: 'Worklist feed', scopes: ['bookings'] })
      .expect(201);

    const answer = await admin
      .post(`/identity/api-clients/${client.body.id}/tokens`)
      .set('idempotency-key', 'token-1')
      .send({ name: 'key 1' });

    for (const value of await idempotencyValues()) expect(value).not.toMatch(TOKEN);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('IDEMPOTENCY_KEY_NOT_ACCEPTED');
  });

  let releaseId = '';

  it('given a signed release with an Idempotency-Key, then a retry replays it, and the stored fingerprint is no hash of the body nor holds the password', async () => {
    const signed = { ...release, signature: { username: 'rita.releaser', password: PERSON_PASSWORD } };
    const first = await rita.client
      .post('/ordering/releases/activity')
      .set('idempotency-key', 'release-1')
      .send(signed);
    expect(first.status).toBe(201);
    releaseId = first.body.id;

    const retry = await rita.client
      .post('/ordering/releases/activity')
      .set('idempotency-key', 'release-1')
      .send(signed);

    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const values = await idempotencyValues();
    const entry = values
      .map((value) => JSON.parse(value) as { fingerprint: string; body?: unknown })
      .find((value) => JSON.stringify(value.body) === JSON.stringify(first.body));
    expect(entry?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(entry?.fingerprint).not.toBe(sha256(canonicalJson(signed)));
    const everything = values.join('\n');
    for (const secret of [PERSON_PASSWORD, sha256(PERSON_PASSWORD), sha256(canonicalJson(signed))]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('given a signed correction first sent with a mistyped password, then the same Idempotency-Key signed right still runs it', async () => {
    const body = (password: string) => ({ reason: 'Wrong vial recorded', signature: { password } });
    const path = `/ordering/releases/${releaseId}/correct`;
    await rita.client.post(path).set('idempotency-key', 'correct-1').send(body('not her password')).expect(401);

    const signed = await rita.client.post(path).set('idempotency-key', 'correct-1').send(body(PERSON_PASSWORD));

    expect(signed.status).toBe(200);
    expect(signed.headers['idempotent-replayed']).toBeUndefined();
    expect((await idempotencyValues()).join('\n')).not.toContain('not her password');
  });

  it('given a password set, a password change or the first setup with an Idempotency-Key, then each is refused with 400 and nothing keeps the password', async () => {
    const passwords = ['reset-Passphrase-77', 'changed-Passphrase-78', 'setup-Passphrase-79'];
    const answers = [
      await admin
        .post(`/identity/users/${rita.id}/password`)
        .set('idempotency-key', 'password-1')
        .send({ password: passwords[0], reason: 'forgot it' }),
      await rita.client
        .post('/auth/password')
        .set('idempotency-key', 'password-2')
        .send({ currentPassword: PERSON_PASSWORD, newPassword: passwords[1] }),
      // Not marked: refused because its body holds a password.
      await request(app.server)
        .post('/auth/setup')
        .set('idempotency-key', 'setup-1')
        .send({ setupToken: 'x'.repeat(32), username: 'other.admin', printedName: 'Other', password: passwords[2] }),
    ];

    expect(answers.map((answer) => [answer.status, answer.body.error?.code])).toEqual([
      [400, 'IDEMPOTENCY_KEY_NOT_ACCEPTED'],
      [400, 'IDEMPOTENCY_KEY_NOT_ACCEPTED'],
      [400, 'IDEMPOTENCY_KEY_NOT_ACCEPTED'],
    ]);
    const stored = (await idempotencyValues()).join('\n');
    for (const password of passwords) {
      expect(stored).not.toContain(password);
      expect(stored).not.toContain(sha256(password));
    }
  });

  it('given every registered route, then exactly the routes whose request or answer is a secret are marked', () => {
    const marked = registeredRoutes(app.api)
      .filter((route) => route.metadata(CARRIES_SECRET) !== undefined)
      .map((route) => `${route.method} ${route.path}`);
    expect(marked.sort()).toEqual(secretRoutes);
  });
});
