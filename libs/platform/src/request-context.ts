import { randomUUID } from 'node:crypto';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { Actor } from '@tracershop/event-store';
import { logContext } from './logger';

/** What the server knows about a request; commands take actor and ids from here, never from the body. */
export interface RequestContext {
  requestId: string;
  correlationId: string;
  /** Set by the idempotency interceptor: retries of one key share it, so their event ids match. */
  causationId?: string;
  actor: Actor;
}

declare module 'fastify' {
  interface FastifyRequest {
    tracershop: RequestContext;
  }
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Gives every request an id and a correlation id (the caller's `X-Correlation-Id` when it is
 * well-formed), echoes it, and puts it into every log line of the request.
 */
export function installRequestContext(fastify: FastifyInstance, actorOf: (request: FastifyRequest) => Actor): void {
  fastify.decorateRequest('tracershop', null as unknown as RequestContext);
  fastify.addHook('onRequest', (request, reply, done) => {
    const given = request.headers['x-correlation-id'];
    const correlationId = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    const requestId = randomUUID();
    request.tracershop = { requestId, correlationId, actor: actorOf(request) };
    void reply.header('x-correlation-id', correlationId);
    logContext.enterWith({ correlationId, requestId });
    done();
  });
}

export function commandContextOf(request: FastifyRequest, extra: Partial<CommandContext> = {}): CommandContext {
  const { actor, correlationId, causationId, requestId } = request.tracershop;
  return { actor, correlationId, causationId: causationId ?? requestId, ...extra };
}

/** `@Command() context: CommandContext` in a controller method. */
export const Command = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandContext =>
  commandContextOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
