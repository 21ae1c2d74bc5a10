import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import request from 'supertest';
import type { EventStore } from '@tracershop/event-store';
import { EVENT_STORE } from '@tracershop/platform';
import { legacyIdAllocatedByHandler } from '../../apps/api/src/legacy-ids/legacy-id-allocator';
import { IdentityService } from '../../apps/api/src/identity/identity.service';
import { bootApiInstance, bootApp, logIn, type BootedApp } from './booted-app';

/**
 * Regression: the first administrator was never recorded on `identity.firstAdministrator-deployment`,
 * so every api start without the Redis key for the setup token (Redis restarted without
 * persistence, or a restart more than a day later) printed a fresh token, and `POST /auth/setup`
 * made another administrator of whoever held it.
 */
const NO_INITIAL_ADMIN = { INITIAL_ADMIN_USERNAME: '', INITIAL_ADMIN_PASSWORD: '', INITIAL_ADMIN_NAME: '' };
const SETUP = { username: 'setup.admin', printedName: 'Setup Admin', password: 'Chosen-long-passphrase-91' };
const INTRUDER = { username: 'second.admin', printedName: 'Second Admin', password: 'Another-long-passphrase-92' };

describe('the first administrator setup is retired once the deployment is set up', () => {
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const booted: Array<{ close(): Promise<void> }> = [];
  let printed: string[] = [];

  beforeEach(() => {
    printed = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    // Instances before the app whose databases they share.
    for (const app of booted.splice(0).reverse()) await app.close();
  });

  afterAll(() => redis.disconnect());

  const setupKey = (app: BootedApp) => `tracershop:${app.config.databases.web}:setup-token`;
  const tokenPrinted = () => printed.some((text) => text.includes('No user exists yet'));

  async function boot(env: Record<string, string>): Promise<BootedApp> {
    const app = await bootApp(env);
    booted.push(app);
    return app;
  }

  /** The api started again on the same databases and Redis; the setup token's key is gone. */
  async function restartWithoutTheToken(app: BootedApp) {
    await redis.del(setupKey(app));
    printed = [];
    const instance = await bootApiInstance(app, NO_INITIAL_ADMIN);
    booted.push(instance);
    return instance;
  }

  /** Setup is refused, with whatever token Redis holds (none, when none was issued). */
  async function expectSetupRefused(server: BootedApp['server'], app: BootedApp) {
    const token = (await redis.get(setupKey(app))) ?? 'no-token-was-issued-0000';
    const answer = await request(server)
      .post('/auth/setup')
      .send({ setupToken: token, ...INTRUDER });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('SETUP_REFUSED');
    await request(server)
      .post('/auth/login')
      .send({ username: INTRUDER.username, password: INTRUDER.password })
      .expect(401);
  }

  it('given a fresh deployment, then a token is issued, setup makes and records the first administrator once, and the token is spent', async () => {
    const app = await boot(NO_INITIAL_ADMIN);
    expect(tokenPrinted()).toBe(true);
    const token = await redis.get(setupKey(app));
    expect(token).toEqual(expect.any(String));

    const created = await request(app.server)
      .post('/auth/setup')
      .send({ setupToken: token, ...SETUP })
      .expect(201);
    await logIn(app.server, SETUP.username, SETUP.password);
    const recorded = await app.api.get<EventStore>(EVENT_STORE).readStream('identity.firstAdministrator-deployment');
    expect(recorded.map((event) => [event.type, event.data])).toEqual([
      ['FirstAdministratorRecorded', { userId: created.body.id, username: SETUP.username, via: 'setup-token' }],
    ]);

    const again = await request(app.server)
      .post('/auth/setup')
      .send({ setupToken: token, ...INTRUDER });
    expect(again.status).toBe(403);
    expect(await redis.get(setupKey(app))).toBeNull();
  });

  it('given a deployment whose first administrator was set up, when the api restarts with the Redis key gone, then no setup token is issued and setup is refused', async () => {
    const app = await boot(NO_INITIAL_ADMIN);
    await request(app.server)
      .post('/auth/setup')
      .send({ setupToken: await redis.get(setupKey(app)), ...SETUP })
      .expect(201);

    const restarted = await restartWithoutTheToken(app);
    expect(tokenPrinted()).toBe(false);
    expect(await redis.get(setupKey(app))).toBeNull();
    await expectSetupRefused(restarted.server, app);
  });

  it('given the first administrator made from INITIAL_ADMIN_*, when the api restarts without them and the Redis key gone, then no setup token is issued and setup is refused', async () => {
    const app = await boot({});
    const recorded = await app.api.get<EventStore>(EVENT_STORE).readStream('identity.firstAdministrator-deployment');
    expect(recorded.map((event) => (event.data as { via: string }).via)).toEqual(['environment']);

    const restarted = await restartWithoutTheToken(app);
    expect(tokenPrinted()).toBe(false);
    expect(await redis.get(setupKey(app))).toBeNull();
    await expectSetupRefused(restarted.server, app);
  });

  it('given a user made without the first-administrator record (before it was kept, or by the cli), then the token issued is refused with 409 and a restart issues none', async () => {
    const app = await boot(NO_INITIAL_ADMIN);
    const token = await redis.get(setupKey(app));
    expect(token).toEqual(expect.any(String));
    const identity = app.api.get(IdentityService);
    await identity.execute(
      identity.commands.user,
      {
        type: 'RegisterUser',
        userId: randomUUID(),
        username: 'night.shift',
        printedName: 'Night Shift',
        identityVerification: { method: 'employer-record', reference: 'HR 4711', verifiedBy: 'cli' },
        legacyUserId: legacyIdAllocatedByHandler,
        at: new Date().toISOString(),
      },
      {
        actor: { kind: 'system', id: 'cli', printedName: 'operator', role: 'system' },
        correlationId: randomUUID(),
        causationId: randomUUID(),
      },
    );

    const answer = await request(app.server)
      .post('/auth/setup')
      .send({ setupToken: token, ...INTRUDER });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('ALREADY_SET_UP');
    await request(app.server)
      .post('/auth/login')
      .send({ username: INTRUDER.username, password: INTRUDER.password })
      .expect(401);

    const restarted = await restartWithoutTheToken(app);
    expect(tokenPrinted()).toBe(false);
    await expectSetupRefused(restarted.server, app);
  });
});
