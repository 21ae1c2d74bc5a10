import Redis from 'ioredis';
import request from 'supertest';
import { ADMIN, bootApp, type BootedApp } from './booted-app';

describe('failed logins from one address', () => {
  let app: BootedApp;
  let redis: Redis;
  const login = (username: string, password: string) =>
    request(app.server).post('/auth/login').send({ username, password });

  beforeAll(async () => {
    app = await bootApp({ LOGIN_ADDRESS_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW_SECONDS: '600' });
    redis = new Redis(app.config.redisUrl);
  });

  beforeEach(async () => {
    // Each spec starts with the address's count at nothing
    const keys = await redis.keys(`tracershop:${app.config.databases.web}:login-failures:*`);
    if (keys.length > 0) await redis.del(...keys);
  });

  afterAll(async () => {
    redis?.disconnect();
    await app?.close();
  });

  it('given failures spread over several usernames, when the address reaches the limit, then it must wait, also with the right password', async () => {
    // A successful login counts nothing
    await login(ADMIN.username, ADMIN.password).expect(200);
    for (const username of ['anne', 'bent', ADMIN.username]) {
      expect((await login(username, 'a guess').expect(401)).body.error.code).toBe('INVALID_CREDENTIALS');
    }

    const refused = await login(ADMIN.username, ADMIN.password).expect(429);
    expect(refused.body.error).toMatchObject({ code: 'TOO_MANY_FAILED_LOGINS' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);
    // Whichever username it tries
    expect((await login('carl', 'another guess').expect(429)).body.error.code).toBe('TOO_MANY_FAILED_LOGINS');
  });

  it('given a burst of parallel guesses, then no more than the limit reach the password check', async () => {
    const answers = await Promise.all(
      ['anne', 'bent', 'carl', 'dora', 'eric', 'finn'].map((username) => login(username, 'a guess')),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([401, 401, 401, 429, 429, 429]);
  });
});
