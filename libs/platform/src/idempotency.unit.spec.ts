import { createHash } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type Redis from 'ioredis';
import { lastValueFrom, of } from 'rxjs';
import type { TracershopConfig } from '@tracershop/config';
import { canonicalJson } from '@tracershop/event-store';
import { HttpProblem } from './http-errors';
import { IdempotencyInterceptor } from './idempotency';

/** The few Redis calls the interceptor makes, in memory. */
class FakeRedis {
  readonly values = new Map<string, string>();
  async set(key: string, value: string, ...options: unknown[]) {
    if (options.includes('NX') && this.values.has(key)) return null;
    this.values.set(key, value);
    return 'OK';
  }
  async get(key: string) {
    return this.values.get(key) ?? null;
  }
  async del(key: string) {
    return this.values.delete(key) ? 1 : 0;
  }
}

const config = { databases: { events: 'unit_events' }, commands: { idempotencyTtlSeconds: 60 } } as TracershopConfig;
class UnmarkedController {
  handle() {}
}

function setUp() {
  const redis = new FakeRedis();
  const interceptor = new IdempotencyInterceptor(redis as unknown as Redis, config, new Reflector());
  const send = async (body: unknown, answer: unknown) => {
    const request = {
      method: 'POST',
      url: '/things',
      headers: { 'idempotency-key': 'k-1' },
      body,
      tracershop: { actor: { kind: 'user', id: 'u-1' } },
    };
    const reply = { statusCode: 201, header: jest.fn(), status: jest.fn() };
    const context = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
      getHandler: () => UnmarkedController.prototype.handle,
      getClass: () => UnmarkedController,
    } as unknown as ExecutionContext;
    return lastValueFrom(interceptor.intercept(context, { handle: () => of(answer) }));
  };
  return { redis, send, stored: () => [...redis.values.values()].join('\n') };
}

describe('IdempotencyInterceptor and secrets', () => {
  it('given an unmarked route whose answer holds a token, then the caller gets it and Redis keeps it withheld', async () => {
    const { send, stored } = setUp();

    const answer = await send({ name: 'key 1' }, { id: 'c-1', token: 'tsk_the-secret' });

    expect(answer).toEqual({ id: 'c-1', token: 'tsk_the-secret' });
    expect(stored()).not.toContain('tsk_the-secret');
    expect(JSON.parse(stored())).toMatchObject({ state: 'done', body: { id: 'c-1', token: '[withheld]' } });
  });

  it('given an unmarked route whose body holds a password outside a signature, then the key is refused with 400', async () => {
    const { send, redis } = setUp();

    const refused = send({ username: 'anna', nested: { newPassword: 'a-Passphrase-12' } }, {}).catch(
      (error: unknown) => error,
    );

    expect(await refused).toEqual(expect.any(HttpProblem));
    expect(await refused).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_NOT_ACCEPTED' });
    expect(redis.values.size).toBe(0);
  });

  it('given a signed body, then its fingerprint leaves the password out, so it is neither the body’s sha256 nor holds it', async () => {
    const { send, stored } = setUp();
    const body = { lot: 'FDG-1', signature: { username: 'rita', password: 'her-Passphrase-34' } };

    await send(body, { id: 'r-1' });

    const { fingerprint } = JSON.parse(stored()) as { fingerprint: string };
    expect(fingerprint).not.toBe(createHash('sha256').update(canonicalJson(body)).digest('hex'));
    expect(stored()).not.toContain('her-Passphrase-34');
    expect(stored()).not.toContain(createHash('sha256').update('her-Passphrase-34').digest('hex'));
  });
});
