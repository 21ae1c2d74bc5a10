import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import { hashToken, tokenKindOf, type Principal, type Role } from '@tracershop/auth';
import type { TracershopConfig } from '@tracershop/config';
import { HttpProblem, REDIS, TRACERSHOP_CONFIG, type Authenticator } from '@tracershop/platform';
import type { IdentityReadModel } from '@tracershop/projections/web';
import { credentialOf } from './session-cookie';
import { CredentialCache } from './credential-cache';
import { IDENTITY_READ_MODEL } from './identity-read-model.provider';

const IDLE_REFRESH_MS = 5_000;

/** Redis keys of the live parts of credentials: idle timers and last use (not audit data). */
export const sessionSeenKey = (config: TracershopConfig, sessionId: string) =>
  `tracershop:${config.databases.web}:session-seen:${sessionId}`;
export const tokenLastUsedKey = (config: TracershopConfig) => `tracershop:${config.databases.web}:api-token-last-used`;

const unauthenticated = (code: string, message: string) =>
  new HttpProblem(HttpStatus.UNAUTHORIZED, code, message, {}, { 'www-authenticate': 'Bearer' });
const idle = () => unauthenticated('SESSION_IDLE', 'The session was idle too long; log in again');

/**
 * `touch: false` checks a credential without counting it as use: a session's idle timer must still
 * run but is not pushed back. For re-checks of an open connection (a socket), which the client did
 * not ask for; only the client's own requests keep a session from idling out.
 */
export interface AuthenticateOptions {
  touch: boolean;
}

/** The authenticator as sockets call it (`AUTHENTICATOR` is an `IdentityAuthenticator`). */
export interface CheckingAuthenticator extends Authenticator {
  authenticate(request: FastifyRequest, options?: AuthenticateOptions): Promise<Principal | null>;
}

/**
 * Sessions and API tokens are looked up by their SHA-256 in the web database (projected from
 * identity events). A session also needs its idle timer in Redis: it lapses after the idle timeout
 * even within its absolute expiry.
 */
@Injectable()
export class IdentityAuthenticator implements CheckingAuthenticator {
  constructor(
    @Inject(IDENTITY_READ_MODEL) private readonly identities: IdentityReadModel,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
    private readonly cache: CredentialCache,
  ) {}

  async authenticate(
    request: FastifyRequest,
    options: AuthenticateOptions = { touch: true },
  ): Promise<Principal | null> {
    const credential = credentialOf(request);
    if (credential === null) return null;
    const kind = tokenKindOf(credential);
    if (kind === 'session') return this.session(credential, options.touch);
    if (kind === 'api') return this.apiToken(credential);
    throw unauthenticated('INVALID_CREDENTIALS', 'The token is not a Tracershop session or API token');
  }

  private async session(token: string, touch: boolean): Promise<Principal> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) {
      const now = Date.now();
      // The idle timer is pushed back at most every few seconds; the shortest idle timeout is 10 s.
      if (now - cached.idleRefreshedAt >= IDLE_REFRESH_MS) {
        const seen = sessionSeenKey(this.config, cached.principal.credentialId);
        const alive = touch
          ? await this.redis.expire(seen, this.config.auth.sessionIdleSeconds)
          : await this.redis.exists(seen);
        if (alive !== 1) {
          this.cache.forget(cached.principal.id);
          throw idle();
        }
        if (touch) cached.idleRefreshedAt = now;
      }
      return cached.principal;
    }
    const session = await this.identities.sessionByTokenHash(hash);
    if (!session || session.endedAt) throw unauthenticated('SESSION_ENDED', 'The session has ended; log in again');
    if (Date.parse(session.expiresAt) <= Date.now()) {
      throw unauthenticated('SESSION_EXPIRED', 'The session has expired; log in again');
    }
    const seen = sessionSeenKey(this.config, session.id);
    // Refresh the idle timer only if it is still running: a lapsed session stays lapsed.
    const alive = touch ? await this.redis.expire(seen, session.idleTimeoutSeconds) : await this.redis.exists(seen);
    if (alive !== 1) throw idle();
    const user = await this.identities.userById(session.userId);
    if (!user || !user.active) throw unauthenticated('USER_DEACTIVATED', 'The account is deactivated');
    const principal: Principal = {
      kind: 'user',
      id: user.id,
      username: user.username,
      printedName: user.printedName,
      roles: user.roles.map((grant) => ({ ...grant, role: grant.role as Role })),
      releaseRights: user.releaseRights,
      credentialId: session.id,
      mustChangePassword: user.mustChangePassword,
    };
    this.cache.set(hash, principal, Date.parse(session.expiresAt));
    // Not pushed back now: the next request that touches the session pushes it back at once.
    const entry = touch ? undefined : this.cache.get(hash);
    if (entry) entry.idleRefreshedAt = Number.NEGATIVE_INFINITY;
    return principal;
  }

  private async apiToken(token: string): Promise<Principal> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    if (cached) {
      void this.redis.hset(tokenLastUsedKey(this.config), cached.principal.credentialId, new Date().toISOString());
      return cached.principal;
    }
    const found = await this.identities.apiTokenByHash(hash);
    if (!found || found.revokedAt || !found.clientActive) {
      throw unauthenticated('API_TOKEN_REVOKED', 'The API token is unknown or revoked');
    }
    await this.redis.hset(tokenLastUsedKey(this.config), found.tokenId, new Date().toISOString());
    const principal: Principal = {
      kind: 'application',
      id: found.clientId,
      username: found.clientName,
      printedName: found.clientName,
      roles: [{ role: 'application', customerIds: found.customerIds, locationIds: [] }],
      releaseRights: [],
      credentialId: found.tokenId,
      mustChangePassword: false,
      scopes: found.scopes,
    };
    this.cache.set(hash, principal, Number.POSITIVE_INFINITY);
    return principal;
  }
}
