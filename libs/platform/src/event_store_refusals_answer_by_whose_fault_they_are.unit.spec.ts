import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type Redis from 'ioredis';
import { lastValueFrom, of, throwError } from 'rxjs';
import type { TracershopConfig } from '@tracershop/config';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  EventTooLargeError,
  StreamDeletedError,
} from '@tracershop/event-store';
import { describeError } from './http-errors';
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

class CommandController {
  handle() {}
}

/** Sends the same command with the same `Idempotency-Key`; the handler answers or throws. */
function idempotentCommand() {
  const redis = new FakeRedis();
  const config = { databases: { events: 'unit_events' }, commands: { idempotencyTtlSeconds: 60 } } as TracershopConfig;
  const interceptor = new IdempotencyInterceptor(redis as unknown as Redis, config, new Reflector());
  return (handler: () => unknown) => {
    const request = {
      method: 'POST',
      url: '/orders',
      headers: { 'idempotency-key': 'k-1' },
      body: { activityMBq: 480 },
      tracershop: { actor: { kind: 'user', id: 'u-1' } },
    };
    const reply = { statusCode: 201, header: jest.fn(), status: jest.fn() };
    const context = {
      switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }),
      getHandler: () => CommandController.prototype.handle,
      getClass: () => CommandController,
    } as unknown as ExecutionContext;
    const handled = () => {
      try {
        return of(handler());
      } catch (error) {
        return throwError(() => error);
      }
    };
    return lastValueFrom(interceptor.intercept(context, { handle: handled }));
  };
}

// Regression: EventStoreDB's refusal of this service's own credentials answered a permanent 403
// (with the stream id in the body), which the idempotency layer kept as the request's final answer.
describe("the event store's refusals answer by whose fault they are", () => {
  it.each([
    ['an append over the store limit', 413, 'APPEND_TOO_LARGE', new AppendTooLargeError('ordering.order-1', 4_194_304)],
    ['an event over the size limit', 413, 'EVENT_TOO_LARGE', new EventTooLargeError('e-1', 5_000_000, 4_194_304)],
    ['a deleted stream', 410, 'STREAM_DELETED', new StreamDeletedError('ordering.order-1')],
  ])('given %s, then the permanent %i %s with its message and details', (_, status, code, error) => {
    expect(describeError(error)).toMatchObject({
      status,
      body: { error: { code, message: error.message, details: error.details } },
    });
  });

  it('given the event store refuses this service access, then a retryable 503 that names no stream or action', () => {
    const answer = describeError(new EventStoreAccessDeniedError('append to "ordering.deliveryDay-2024-05-02"'));

    expect(answer).toEqual({
      status: 503,
      headers: {},
      body: {
        error: { code: 'EVENT_STORE_UNAVAILABLE', message: 'The event store is unavailable; try again', details: {} },
      },
    });
    expect(JSON.stringify(answer.body)).not.toContain('ordering.');
  });

  it('given a command refused access with an Idempotency-Key, when the same key is sent after the fix, then it runs and is not a replayed refusal', async () => {
    const send = idempotentCommand();
    await expect(
      send(() => {
        throw new EventStoreAccessDeniedError('append to "ordering.order-1"');
      }),
    ).rejects.toBeInstanceOf(EventStoreAccessDeniedError);

    const handler = jest.fn(() => ({ id: 'o-1' }));
    const retried = await send(handler);

    expect(handler).toHaveBeenCalledTimes(1);
    expect(retried).toEqual({ id: 'o-1' });
  });

  it('given an unreachable store, then still 503 "try again"', () => {
    expect(describeError(new EventStoreUnavailableError('down'))).toMatchObject({
      status: 503,
      body: { error: { code: 'EVENT_STORE_UNAVAILABLE' } },
    });
  });
});
