import { HttpStatus, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { actorOf, hasRole, hasScope, type Principal, type Role } from '@tracershop/auth';
import { HttpProblem } from './http-errors';

/** Who may call a route. Every route declares it; a route without a declaration is refused. */
export type AccessRule = { kind: 'public' } | { kind: 'roles'; roles: Role[]; whileMustChangePassword?: boolean };

export const ACCESS_RULE = 'tracershop:access-rule';

/** Anyone, also anonymous callers (login, health, metrics). */
export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);

/** Authenticated callers holding one of the roles. Admins are not implied: list them. */
export const Allow = (...roles: Role[]) => SetMetadata(ACCESS_RULE, { kind: 'roles', roles } satisfies AccessRule);

/** For the few routes a user with a password to change may still call (me, logout, change password). */
export const AllowWhilePasswordMustChange = (...roles: Role[]) =>
  SetMetadata(ACCESS_RULE, { kind: 'roles', roles, whileMustChangePassword: true } satisfies AccessRule);

export const APPLICATION_SCOPE = 'tracershop:application-scope';

/**
 * The scope an application's token needs for a route its roles admit (`@Allow(..., 'application')`):
 * a route open to applications declares one, or none but `any` (what every client may do, such as
 * `GET /auth/me`). A route that admits applications and declares no scope is closed to them.
 */
export const ApplicationScope = (scope: string) => SetMetadata(APPLICATION_SCOPE, scope);

/** Turns a request's credentials into a principal, or null when it carries none. */
export interface Authenticator {
  /** Throws an HttpProblem (401) for credentials that are present but invalid, expired or revoked. */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
}

export const AUTHENTICATOR = Symbol('AUTHENTICATOR');

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /** The roles the route admits (its `@Allow`); a grant of another role confers nothing here. */
    admittedRoles?: readonly Role[];
  }
}

/**
 * The one guard on every route: authenticate, then check the route's declared rule. The principal
 * becomes the actor of every command the request sends.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!rule) {
      throw new HttpProblem(HttpStatus.FORBIDDEN, 'NO_ACCESS_RULE', 'This route declares no access rule; it is closed');
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.principalOf(request, rule);
    if (principal) {
      request.principal = principal;
      // In the capacity the route admits it: a releaser who is also a shop member places an order as shop.
      request.tracershop.actor = actorOf(principal, rule.kind === 'roles' ? rule.roles : undefined);
    }
    if (rule.kind === 'public') return true;
    if (!principal) {
      throw new HttpProblem(
        HttpStatus.UNAUTHORIZED,
        'UNAUTHENTICATED',
        'Log in, or send a session or API token',
        {},
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
    if (principal.mustChangePassword && !rule.whileMustChangePassword) {
      throw new HttpProblem(HttpStatus.FORBIDDEN, 'PASSWORD_CHANGE_REQUIRED', 'Change your password first');
    }
    if (!hasRole(principal, ...rule.roles)) {
      throw new HttpProblem(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'Your roles do not allow this', {
        requires: rule.roles,
      });
    }
    if (principal.kind === 'application') this.checkScope(context, principal);
    request.admittedRoles = rule.roles;
    return true;
  }

  /** An application's token does what its client's scopes allow, and nothing else (least privilege). */
  private checkScope(context: ExecutionContext, principal: Principal): void {
    const scope = this.reflector.getAllAndOverride<string | undefined>(APPLICATION_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (scope === undefined) {
      throw new HttpProblem(HttpStatus.FORBIDDEN, 'FORBIDDEN', 'This route is not open to API clients', {});
    }
    if (scope === 'any' || hasScope(principal, scope)) return;
    throw new HttpProblem(
      HttpStatus.FORBIDDEN,
      'SCOPE_NOT_GRANTED',
      `The API client's scopes do not include ${scope}`,
      {
        requires: scope,
        granted: principal.scopes ?? [],
      },
    );
  }

  /**
   * On a public route a credential is optional, so one that fails (an idle or ended session's
   * cookie, which the browser keeps sending) counts as none: it must not keep anyone from the
   * login page, from logging in again or from logging out.
   */
  private async principalOf(request: FastifyRequest, rule: AccessRule): Promise<Principal | null> {
    try {
      return await this.authenticator.authenticate(request);
    } catch (error) {
      if (rule.kind === 'public' && error instanceof HttpProblem && error.status === 401) return null;
      throw error;
    }
  }
}
