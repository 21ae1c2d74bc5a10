import { createHash } from 'node:crypto';
import {
  HttpStatus,
  Inject,
  Injectable,
  SetMetadata,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { TracershopConfig } from '@tracershop/config';
import { IDEMPOTENT_CAUSE_PREFIX } from '@tracershop/command-pipeline';
import { canonicalJson } from '@tracershop/event-store';
import { describeError, HttpProblem } from './http-errors';
import { REDIS, TRACERSHOP_CONFIG } from './tokens';

const KEY = /^[\x21-\x7e]{1,255}$/;
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Field names that hold a credential or a token, in a request body or an answer. An electronic
 * signature's re-authentication is the one credential a cached command may carry: always as
 * `signature: { username?, password }`.
 */
const SECRET_FIELDS: ReadonlySet<string> = new Set([
  'password',
  'currentPassword',
  'newPassword',
  'setupToken',
  'token',
]);
const SIGNATURE_FIELD = 'signature';
/** How long a running request holds its key without renewing it. */
const PENDING_LEASE_SECONDS = 60;
const PENDING_RENEWAL_MS = 20_000;
const WITHHELD = '[withheld]';

export const CARRIES_SECRET = 'tracershop:carries-secret';

/**
 * A route whose request or answer is a secret (a password to set, a session or API token): it
 * refuses an `Idempotency-Key`, since a replay would need the secret kept in Redis. Say what it is.
 */
export const CarriesSecret = (what: string) => SetMetadata(CARRIES_SECRET, what);

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
 * Keys are scoped to the caller and the route. Event ids and the ids the server mints derive from
 * the key and the body as well, so even a lost answer cannot make a retry append twice, and a
 * retry that runs again names what the first run made. A running request holds its key by a lease,
 * so one whose process stopped is run again by a retry a minute later, not refused for a day.
 *
 * Redis must hold no token and no fast hash of a password. A route marked `@CarriesSecret`, or a
 * body with a credential outside `signature`, answers 400 to a key instead of ignoring it: the
 * header promises exactly-once, and a silently unkeyed retry of a token issue mints a second live
 * token. Signed commands stay retry-safe: the signature's password is left out of the fingerprint
 * (a keyed hash would differ between replicas without a shared secret); it was verified on the run
 * that appended. Secret fields of answers are withheld, in case a token route is left unmarked.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    private readonly reflector: Reflector,
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
    const secret = this.reflector.getAllAndOverride<string | undefined>(CARRIES_SECRET, [
      context.getHandler(),
      context.getClass(),
    ]);
    const { body, secretOutsideSignature } = withoutCredentials(request.body ?? null);
    if (secret !== undefined || secretOutsideSignature) {
      throw new HttpProblem(
        HttpStatus.BAD_REQUEST,
        'IDEMPOTENCY_KEY_NOT_ACCEPTED',
        'This request or its answer holds a secret, which is never kept for a replay; send it without Idempotency-Key',
        { reason: secret ?? 'the request body holds a password or a token' },
      );
    }
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    // Nest has set the route's success status before interceptors run.
    return from(this.run(request, reply, key, sha256(canonicalJson(body)), reply.statusCode, next));
  }

  private async run(
    request: FastifyRequest,
    reply: FastifyReply,
    key: string,
    fingerprint: string,
    successStatus: number,
    next: CallHandler,
  ): Promise<unknown> {
    const scope = `${request.tracershop.actor.kind}:${request.tracershop.actor.id}:${request.method}:${request.url}`;
    const scopedKey = sha256(`${scope}\n${key}`);
    // Per deployment: several may share one Redis.
    const redisKey = `tracershop:${this.config.databases.events}:idempotency:${scopedKey}`;
    const ttl = this.config.commands.idempotencyTtlSeconds;
    const pending = JSON.stringify({ state: 'pending', fingerprint } satisfies StoredAnswer);
    // A lease, renewed while the request runs: a process that stopped half way holds the key only
    // for a moment, and the retry then runs again (same cause, same event ids: done is done).
    const claimed = await this.redis.set(redisKey, pending, 'EX', PENDING_LEASE_SECONDS, 'NX');
    if (claimed !== 'OK') return this.replay(redisKey, fingerprint, reply);
    const leasedUntil = Date.now() + ttl * 1000;
    const lease = setInterval(() => {
      // A request that never ends holds its key no longer than an answer would be kept.
      if (Date.now() > leasedUntil) return clearInterval(lease);
      // Only while still pending (XX: it exists); sent before the answer below, on the same connection.
      this.redis.set(redisKey, pending, 'EX', PENDING_LEASE_SECONDS, 'XX').catch(() => undefined);
    }, PENDING_RENEWAL_MS);
    lease.unref();

    // The body is part of the cause: the same key sent again with another body, once its answer
    // has expired, is another request, never taken for the first one's retry.
    request.tracershop.causationId = `${IDEMPOTENT_CAUSE_PREFIX}${sha256(`${scopedKey}\n${fingerprint}`)}`;
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      clearInterval(lease);
      const done: StoredAnswer = { state: 'done', fingerprint, status: successStatus, body: withheld(body) };
      await this.redis.set(redisKey, JSON.stringify(done), 'EX', ttl);
      return body;
    } catch (error) {
      clearInterval(lease);
      const answer = describeError(error);
      if (
        answer.status >= 500 ||
        answer.status === HttpStatus.CONFLICT ||
        // A wrong signature password or a lock: the credentials are not in the fingerprint, so
        // the same key signed right must run, not replay the refusal.
        answer.status === HttpStatus.UNAUTHORIZED ||
        answer.status === HttpStatus.LOCKED
      ) {
        // Not a final answer: the same key may be retried.
        await this.redis.del(redisKey);
      } else {
        const done: StoredAnswer = {
          state: 'done',
          fingerprint,
          status: answer.status,
          body: withheld(answer.body),
        };
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

/** The body with the signature's credentials blanked, and whether it holds a secret anywhere else. */
function withoutCredentials(value: unknown, inSignature = false): { body: unknown; secretOutsideSignature: boolean } {
  if (typeof value !== 'object' || value === null) return { body: value, secretOutsideSignature: false };
  let secretOutsideSignature = false;
  const visit = (key: string, inner: unknown): unknown => {
    if (SECRET_FIELDS.has(key)) {
      if (!inSignature) secretOutsideSignature = true;
      return WITHHELD;
    }
    const result = withoutCredentials(inner, inSignature || key === SIGNATURE_FIELD);
    secretOutsideSignature ||= result.secretOutsideSignature;
    return result.body;
  };
  const body = Array.isArray(value)
    ? value.map((inner) => visit('', inner))
    : Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, visit(key, inner)]));
  return { body, secretOutsideSignature };
}

/** An answer as Redis may keep it: every secret field, at any depth, withheld. */
function withheld(value: unknown): unknown {
  return withoutCredentials(value, true).body;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
