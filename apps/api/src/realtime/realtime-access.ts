import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import type { Principal } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import { AUTHENTICATOR, HttpProblem, REDIS, TRACERSHOP_CONFIG } from '@tracershop/platform';
import type { CheckingAuthenticator } from '../identity/identity-authenticator';

/** The credential a socket connected with, as HTTP headers the authenticator reads. */
export interface SocketCredential {
  authorization?: string;
  cookie?: string;
}

/** What the handshake carried (Socket.IO's `socket.handshake`, the parts read here). */
export interface HandshakeCredentials {
  auth?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A refused connection or join: a stable code and a sentence. */
export class RealtimeRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RealtimeRefusal';
  }
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * The credential of a handshake: `auth.token`, else the `Authorization: Bearer` header, else the
 * `tracershop_session` cookie, exactly as HTTP requests carry them (the HTTP authenticator reads
 * the resulting headers).
 */
export function credentialOfHandshake(handshake: HandshakeCredentials): SocketCredential {
  const token = handshake.auth?.token;
  if (typeof token === 'string') return { authorization: `Bearer ${token}` };
  const authorization = header(handshake.headers.authorization);
  if (authorization !== undefined) return { authorization };
  const cookie = header(handshake.headers.cookie);
  return cookie !== undefined ? { cookie } : {};
}

const WINDOW_SECONDS = 60;

/**
 * Authentication of sockets with the HTTP API's authenticator (sessions and API tokens, their
 * idle timers, revocations), and per-user rate limits counted in Redis, so they hold across api
 * instances: connections and joins over the last minute, as a sliding window (see `lastMinute`).
 */
@Injectable()
export class RealtimeAccess {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: CheckingAuthenticator,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  /**
   * The principal of a credential, or a refusal (none, invalid, expired, ended, revoked, idle).
   * A session's idle timer is checked, never pushed back: a socket's connection, joins and
   * periodic re-checks happen without the user (a board reconnects and rejoins by itself), so an
   * open socket must not keep an unattended session alive; the user's HTTP requests do that.
   */
  async authenticate(credential: SocketCredential): Promise<Principal> {
    let principal: Principal | null;
    try {
      principal = await this.authenticator.authenticate({ headers: { ...credential } } as unknown as FastifyRequest, {
        touch: false,
      });
    } catch (error) {
      if (error instanceof HttpProblem && error.status === HttpStatus.UNAUTHORIZED) {
        throw new RealtimeRefusal(error.code, error.message);
      }
      throw error;
    }
    if (!principal) throw new RealtimeRefusal('UNAUTHENTICATED', 'Log in, or send a session or API token');
    return principal;
  }

  /** Counts a connection of the principal; refuses beyond the limit per minute. */
  async countConnection(principal: Principal): Promise<void> {
    await this.count('connections', principal, this.config.realtime.connectionsPerMinute);
  }

  /** Counts a join of the principal; refuses beyond the limit per minute. */
  async countJoin(principal: Principal): Promise<void> {
    await this.count('joins', principal, this.config.realtime.joinsPerMinute);
  }

  private async count(kind: 'connections' | 'joins', principal: Principal, limit: number): Promise<void> {
    const seconds = Date.now() / 1000;
    const window = Math.floor(seconds / WINDOW_SECONDS);
    const key = (index: number) =>
      `tracershop:${this.config.databases.web}:realtime-rate:${kind}:${principal.kind}:${principal.id}:${index}`;
    const [[, current], , [, previous]] = (await this.redis
      .multi()
      .incr(key(window))
      .expire(key(window), WINDOW_SECONDS * 2)
      .get(key(window - 1))
      .exec()) as [[Error | null, number], [Error | null, number], [Error | null, string | null]];
    const elapsed = seconds / WINDOW_SECONDS - window;
    if (lastMinute(Number(current), Number(previous ?? 0), elapsed) > limit) {
      throw new RealtimeRefusal('RATE_LIMITED', `More than ${limit} ${kind} a minute; wait a little`);
    }
  }
}

/**
 * How many a user made over the last minute, from the counts of this minute's window and the one
 * before: the earlier window counts for the part of it still within the minute. Fixed windows
 * alone would let twice the limit through around a window's turn, and forget a burst just before it.
 */
export function lastMinute(current: number, previous: number, elapsedOfWindow: number): number {
  return current + previous * (1 - elapsedOfWindow);
}
