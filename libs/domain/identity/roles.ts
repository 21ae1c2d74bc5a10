import { ruleViolated } from '../kernel';
import { requireOneOf } from '../catalog/field-validation';
import { requireIdSet } from './identity-validation';

/**
 * What a user may do (Annex 11 §12.1: access restricted by role). Two roles are scoped: a shop user
 * orders for the customers listed, a location owner runs order sessions at the locations listed.
 */
export const roles = ['admin', 'production', 'releaser', 'shop-admin', 'shop', 'location-owner', 'auditor'] as const;
export type Role = (typeof roles)[number];

export interface RoleScope {
  customerIds: string[];
  locationIds: string[];
}

export interface RoleGrant extends RoleScope {
  role: Role;
}

/** The scope each role needs; a role is refused a scope it does not use, so nothing is stored that means nothing. */
const scopeFieldOf: Readonly<Record<Role, keyof RoleScope | null>> = {
  admin: null,
  production: null,
  releaser: null,
  'shop-admin': 'customerIds',
  shop: 'customerIds',
  'location-owner': 'locationIds',
  auditor: null,
};

/**
 * Roles whose holders may hold a release right. Releasing is done by production members, and a
 * site admin counts as one (tracershop-rules, "Actors and roles"); `releaser` names the duty alone.
 */
export const releaseCapableRoles: readonly Role[] = ['admin', 'production', 'releaser'];

export function requireRole(value: unknown): Role {
  return requireOneOf(value, roles, 'role', 'INVALID_ROLE');
}

export function validRoleGrant(input: { role: unknown; customerIds?: unknown; locationIds?: unknown }): RoleGrant {
  const role = requireRole(input.role);
  const scope: RoleScope = {
    customerIds: requireIdSet(input.customerIds, 'customerIds'),
    locationIds: requireIdSet(input.locationIds, 'locationIds'),
  };
  const needed = scopeFieldOf[role];
  for (const field of ['customerIds', 'locationIds'] as const) {
    if (field === needed && scope[field].length === 0) {
      throw ruleViolated('ROLE_SCOPE_REQUIRED', `The ${role} role needs at least one entry in ${field}`, {
        field,
        role,
      });
    }
    if (field !== needed && scope[field].length > 0) {
      throw ruleViolated('ROLE_SCOPE_NOT_APPLICABLE', `The ${role} role takes no ${field}`, { field, role });
    }
  }
  return { role, ...scope };
}
