import { randomBytes } from 'node:crypto';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import Redis from 'ioredis';
import { from, lastValueFrom } from 'rxjs';
import type { TracershopConfig } from '@tracershop/config';
import { IdempotencyInterceptor } from './idempotency';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DAY = 86_400;

class CommandController {
  handle() {}
}

describe('Idempotency-Key on Redis: a running request holds its key by a lease', () => {
  let redis: Redis;
  const events = `lease_${randomBytes(4).toString('hex')}`;
  const config = { databases: { events }, commands: { idempotencyTtlSeconds: DAY } } as TracershopConfig;
  const keys = () => redis.keys(`tracershop:${events}:idempotency:*`);

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    const left = await keys();
    if (left.length > 0) await redis.del(...left);
    redis.disconnect();
  });

  /** Sends a keyed request whose handler finishes when `finish` is called. */
  function running(key: string) {
    let finish!: (answer: unknown) => void;
    const answer = new Promise((resolve) => (finish = resolve));
    let started!: () => void;
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const interceptor = new IdempotencyInterceptor(redis, config, new Reflector());
    const request = {
      method: 'POST',
      url: '/ordering/activity-orders',
      headers: { 'idempotency-key': key },
      body: { activityMBq: 500 },
      tracershop: { actor: { kind: 'user', id: 'u-lease' } },
    };
    const reply = { statusCode: 201, header: jest.fn(), status: jest.fn() };
    const context = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
      getHandler: () => CommandController.prototype.handle,
      getClass: () => CommandController,
    } as unknown as ExecutionContext;
    const done = lastValueFrom(
      interceptor.intercept(context, {
        handle: () => {
          started();
          return from(answer);
        },
      }),
    );
    return { finish, done, handlerStarted };
  }

  it('given a request still running, then its key lapses within a minute unless renewed; once answered, it is kept for the configured time', async () => {
    const request = running('k-lease-1');
    await request.handlerStarted;
    const [key] = await keys();
    const whileRunning = await redis.ttl(key);
    expect(whileRunning).toBeGreaterThan(0);
    expect(whileRunning).toBeLessThanOrEqual(60);

    request.finish({ id: 'order-1' });
    await expect(request.done).resolves.toEqual({ id: 'order-1' });
    expect(await redis.ttl(key)).toBeGreaterThan(DAY - 60);
    expect(JSON.parse((await redis.get(key)) as string)).toMatchObject({ state: 'done', body: { id: 'order-1' } });
  });
});
