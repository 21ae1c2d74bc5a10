import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { Principal } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import type { Authenticator } from '@tracershop/platform';
import { RealtimeAccess, RealtimeRefusal } from './realtime-access';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('realtime rate limits', () => {
  const web = `rate_${randomUUID().slice(0, 8)}`;
  const config = { databases: { web }, realtime: { connectionsPerMinute: 3, joinsPerMinute: 3 } } as TracershopConfig;
  const principal = { kind: 'user', id: 'user-busy' } as Principal;
  let redis: Redis;
  let access: RealtimeAccess;
  /** A minute's turn: whole minutes since the epoch, in ms. */
  const turn = Math.ceil(Date.now() / 60_000 + 5) * 60_000;

  const connectAt = async (ms: number): Promise<'accepted' | string> => {
    jest.spyOn(Date, 'now').mockReturnValue(ms);
    try {
      await access.countConnection(principal);
      return 'accepted';
    } catch (error) {
      if (error instanceof RealtimeRefusal) return error.code;
      throw error;
    } finally {
      jest.restoreAllMocks();
    }
  };

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    access = new RealtimeAccess({} as Authenticator, redis, config);
  });

  afterAll(async () => {
    const keys = await redis.keys(`tracershop:${web}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('given the limit reached just before a minute turns, when the next comes just after, then it is refused', async () => {
    // Given three connections in the last two seconds of a minute (the limit)
    for (const ms of [turn - 2_000, turn - 1_500, turn - 1_000]) expect(await connectAt(ms)).toBe('accepted');

    // When the fourth comes a second after the minute turned, then it is refused: it is within a minute of them
    expect(await connectAt(turn + 1_000)).toBe('RATE_LIMITED');

    // And half a minute on, the earlier burst has left the last minute: accepted again
    expect(await connectAt(turn + 60_000 + 30_000)).toBe('accepted');
  });
});
