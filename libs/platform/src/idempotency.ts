import { createHash } from 'node:crypto';
import {
  HttpStatus,
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { TracershopConfig } from '@tracershop/config';
import { canonicalJson } from '@tracershop/event-store';
import { describeError, HttpProblem } from './http-errors';
import { REDIS, TRACERSHOP_CONFIG } from './tokens';

const KEY = /^[\x21-\x7e]{1,255}$/;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface StoredAnswer {
  state: 'pending' | 'done';
  fingerprint: string;
  status?: number;
  body?: unknown;
}

/**
 * `Idempotency-Key`: the first request with a key runs; a retry with the same key and body gets
 * the first answer back (`Idempotent-Replayed: true`) and appends nothing. The same key with a
 * different body is refused, and a retry while the first is still running gets 409.
 * Keys are scoped to the caller and the route. Event ids derive from the key as well, so even a
 * lost answer cannot make a retry append twice.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const key = request.headers['idempotency-key'];
    if (!WRITE_METHODS.has(request.method) || key === undefined) return next.handle();
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new HttpProblem(
        HttpStatus.BAD_REQUEST,
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key is 1 to 255 visible ASCII characters',
      );
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Nest has set the route's success status before interceptors run.
    return from(this.run(request, reply, key, reply.statusCode, next));
  }

  private async run(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    successStatus: number,
    next: CallHandler,
  ): Promise<unknown> {
    const scope = `${request.tracershop.actor.kind}:${request.tracershop.actor.id}:${request.method}:${request.url}`;
    const scopedKey = sha256(`${scope}\n${key}`);
    // Per deployment: several may share one Redis.
    const redisKey = `tracershop:${this.config.databases.events}:idempotency:${scopedKey}`;
    const fingerprint = sha256(canonicalJson(request.body ?? null));
    const ttl = this.config.commands.idempotencyTtlSeconds;
    const pending: StoredAnswer = { state: 'pending', fingerprint };
    const claimed = await this.redis.set(redisKey, JSON.stringify(pending), 'EX', ttl, 'NX');
    if (claimed !== 'OK') return this.replay(redisKey, fingerprint, reply);

    request.tracershop.causationId = `idempotency:${scopedKey}`;
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const done: StoredAnswer = { state: 'done', fingerprint, status: successStatus, body };
      await this.redis.set(redisKey, JSON.stringify(done), 'EX', ttl);
      return body;
    } catch (error) {
      const answer = describeError(error);
      if (answer.status >= 500 || answer.status === HttpStatus.CONFLICT) {
        // Not a final answer: the same key may be retried.
        await this.redis.del(redisKey);
      } else {
        const done: StoredAnswer = { state: 'done', fingerprint, status: answer.status, body: answer.body };
        await this.redis.set(redisKey, JSON.stringify(done), 'EX', ttl);
      }
      throw error;
    }
  }

  private async replay(redisKey: string, fingerprint: string, reply: FastifyReply): Promise<unknown> {
    const raw = await this.redis.get(redisKey);
    if (raw === null) {
      throw new HttpProblem(HttpStatus.CONFLICT, 'IDEMPOTENCY_KEY_RELEASED', 'The first request failed; retry it');
    }
    const stored = JSON.parse(raw) as StoredAnswer;
    if (stored.fingerprint !== fingerprint) {
      throw new HttpProblem(
        HttpStatus.UNPROCESSABLE_ENTITY,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used with a different request body',
      );
    }
    if (stored.state === 'pending') {
      throw new HttpProblem(
        HttpStatus.CONFLICT,
        'IDEMPOTENCY_REQUEST_IN_PROGRESS',
        'A request with this Idempotency-Key is still running',
      );
    }
    void reply.header('idempotent-replayed', 'true');
    const status = stored.status ?? HttpStatus.OK;
    if (status >= 400) {
      const error = (stored.body as { error: { code: string; message: string; details: unknown } }).error;
      throw new HttpProblem(status, error.code, error.message, error.details, { 'idempotent-replayed': 'true' });
    }
    void reply.status(status);
    return stored.body;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
