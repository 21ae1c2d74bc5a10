import { hasRole, hasScope, locationScope, type Principal, type Role } from '@tracershop/auth';
import type { ParsedTopic } from '@tracershop/realtime';
import { INCIDENT_READERS } from '../access-roles';

/** Where an order session takes orders; null when no such session is known. */
export interface OrderSessionLocations {
  locationOf(sessionId: string): Promise<string | null>;
}

/** No order sessions exist yet (their context has no producer): every lookup answers "unknown". */
export const noOrderSessions: OrderSessionLocations = { locationOf: async () => null };

export type TopicRefusal = { code: 'UNAUTHORISED_TOPIC' | 'PASSWORD_CHANGE_REQUIRED'; message: string };

/** Staff who see every customer's orders on the production boards. */
const PRODUCTION_DAY_ROLES: Role[] = ['admin', 'production', 'releaser', 'auditor'];
/** Grants that tie a principal to its customers (shop members; applications through their token). */
const CUSTOMER_GRANT_ROLES: Role[] = ['shop-admin', 'shop', 'application'];
/** Jobs (simulations) are staff work. */
const JOB_ROLES: Role[] = ['admin', 'production'];

const refused = (message: string): TopicRefusal => ({ code: 'UNAUTHORISED_TOPIC', message });

/**
 * Who may follow a topic: production days for admins, production, releasers and auditors; a
 * customer for those staff and for the shop members and applications granted that customer;
 * order sessions for admins and the location owners of the session's location (`locationScope`);
 * jobs for admins and production; projection status for admins; incidents for those who read them
 * over HTTP (admins, production, releasers, auditors). Null: allowed.
 */
export async function refusalOf(
  principal: Principal,
  topic: ParsedTopic,
  orderSessions: OrderSessionLocations,
): Promise<TopicRefusal | null> {
  if (principal.mustChangePassword) {
    return { code: 'PASSWORD_CHANGE_REQUIRED', message: 'Change your password first' };
  }
  switch (topic.kind) {
    case 'production-day':
      return hasRole(principal, ...PRODUCTION_DAY_ROLES)
        ? null
        : refused('Production days are for admins, production, releasers and auditors');
    case 'customer': {
      if (hasRole(principal, ...PRODUCTION_DAY_ROLES)) return null;
      // A customer's topic carries its orders: an API client follows it with `orders:read` only.
      if (!hasScope(principal, 'orders:read')) {
        return refused("The API client's scopes do not include orders:read");
      }
      const granted = principal.roles.some(
        (grant) => CUSTOMER_GRANT_ROLES.includes(grant.role) && grant.customerIds.includes(topic.customerId),
      );
      return granted ? null : refused('You are not granted this customer');
    }
    case 'order-session': {
      if (hasRole(principal, 'admin')) return null;
      if (!hasRole(principal, 'location-owner')) return refused('Order sessions are for their location owners');
      const location = await orderSessions.locationOf(topic.sessionId);
      const scope = locationScope(principal);
      if (location === null) return refused('No order session of your locations has this id');
      return scope === 'all' || scope.has(location) ? null : refused('The order session is not at your locations');
    }
    case 'job':
      return hasRole(principal, ...JOB_ROLES) ? null : refused('Jobs are for admins and production');
    case 'projection-status':
      return hasRole(principal, 'admin') ? null : refused('Projection status is for admins');
    case 'incidents':
      return hasRole(principal, ...INCIDENT_READERS)
        ? null
        : refused('Incidents are for admins, production, releasers and auditors');
  }
}
