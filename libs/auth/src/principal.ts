import type { Actor } from '@tracershop/event-store';

export const ROLES = [
  'admin',
  'production',
  'releaser',
  'shop-admin',
  'shop',
  'location-owner',
  'auditor',
  'application',
] as const;
export type Role = (typeof ROLES)[number];

export interface RoleGrant {
  role: Role;
  customerIds: string[];
  locationIds: string[];
}

/** Who is calling: a person with a session, or an application with an API token. */
export interface Principal {
  kind: 'user' | 'application';
  id: string;
  username: string;
  printedName: string;
  roles: RoleGrant[];
  releaseRights: Array<{ tracerId: string; expiresOn: string | null }>;
  /** The session or token that authenticated the request. */
  credentialId: string;
  mustChangePassword: boolean;
  /**
   * An application's scopes: what its token may do, besides what its role admits. Null for an
   * application registered before scopes (every scope); absent for people.
   */
  scopes?: readonly string[] | null;
}

export function hasRole(principal: Principal, ...roles: Role[]): boolean {
  return principal.roles.some((grant) => roles.includes(grant.role));
}

/**
 * Whether an application's token may do what `scope` names: its client's scopes include it, or the
 * client was registered before scopes (null: every scope). People have no scopes to check.
 */
export function hasScope(principal: Principal, scope: string): boolean {
  return principal.kind !== 'application' || principal.scopes === null || principal.scopes?.includes(scope) === true;
}

const SITE_WIDE_ROLES: readonly Role[] = ['admin', 'production', 'releaser', 'auditor'];

/**
 * Customers the principal may act on through a route that admits `admitted`: `all` through a
 * site-wide role (admin, production, releaser, auditor), else the customers of its grants. Only the
 * grants the route admits count: someone who is a shop member of one customer and also an auditor
 * reads every customer's orders (as auditor) but orders for its own customer only (as shop member).
 */
export function customerScope(principal: Principal, admitted: readonly Role[]): 'all' | Set<string> {
  const grants = principal.roles.filter((grant) => admitted.includes(grant.role));
  if (grants.some((grant) => SITE_WIDE_ROLES.includes(grant.role))) return 'all';
  return new Set(grants.flatMap((grant) => grant.customerIds));
}

export function locationScope(principal: Principal): 'all' | Set<string> {
  if (hasRole(principal, 'admin', 'production', 'auditor')) return 'all';
  return new Set(principal.roles.flatMap((grant) => grant.locationIds));
}

/** The event envelope's actor: the role is the most privileged one held, for the audit trail. */
/**
 * The actor of the events a request causes. Its role is the capacity it acted in: of the roles it
 * holds, the first (in `ROLES` order) that the route admits (`admitted`, the route's `@Allow`); on a
 * route that admits any caller, the first it holds.
 */
export function actorOf(principal: Principal, admitted: readonly Role[] = ROLES): Actor {
  const role =
    ROLES.find((candidate) => admitted.includes(candidate) && hasRole(principal, candidate)) ??
    ROLES.find((candidate) => hasRole(principal, candidate)) ??
    'none';
  return { kind: principal.kind, id: principal.id, printedName: principal.printedName, role };
}
