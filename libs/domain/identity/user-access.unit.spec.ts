import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { anneInProduction, anneRegistered, at, today } from './identity-examples';
import {
  hasReleaseRight,
  holdsRole,
  rolesOf,
  userDecider,
  type GrantCustomerAccess,
  type GrantReleaseRight,
  type GrantRole,
  type ReleaseRightGranted,
  type RevokeCustomerAccess,
  type RevokeReleaseRight,
  type RevokeRole,
  type RoleGranted,
} from './user';

const spec = specFor(userDecider);
const grant = (
  role: GrantRole['role'],
  scope: Partial<Pick<GrantRole, 'customerIds' | 'locationIds'>> = {},
): GrantRole => ({
  type: 'GrantRole',
  userId: 'user-anne',
  role,
  ...scope,
  at,
});
const revoke = (role: RevokeRole['role']): RevokeRole => ({
  type: 'RevokeRole',
  userId: 'user-anne',
  role,
  reason: 'Moved to another unit',
  at,
});
const roleGranted = (
  role: RoleGranted['data']['role'],
  customerIds: string[] = [],
  locationIds: string[] = [],
): RoleGranted => ({
  type: 'RoleGranted',
  data: { userId: 'user-anne', role, customerIds, locationIds },
});

const grantFdg: GrantReleaseRight = {
  type: 'GrantReleaseRight',
  userId: 'user-anne',
  tracerId: 'tracer-fdg',
  expiresOn: '2026-12-31',
  grantedBy: 'user-bo',
  at,
};
const fdgRightGranted: ReleaseRightGranted = {
  type: 'ReleaseRightGranted',
  data: { userId: 'user-anne', tracerId: 'tracer-fdg', expiresOn: '2026-12-31', grantedBy: 'user-bo' },
};
const revokeFdg: RevokeReleaseRight = {
  type: 'RevokeReleaseRight',
  userId: 'user-anne',
  tracerId: 'tracer-fdg',
  reason: 'Training lapsed',
  at,
};
const fdgRightRevoked = { type: 'ReleaseRightRevoked', data: { userId: 'user-anne', tracerId: 'tracer-fdg' } } as const;

describe('User access', () => {
  describe('GrantRole', () => {
    it.each(['admin', 'production', 'releaser', 'auditor'] as const)('grants the unscoped role %s', (role) => {
      spec
        .given([anneRegistered])
        .when(grant(role))
        .then([roleGranted(role)]);
    });

    it('grants shop for the customers given, as a sorted set', () => {
      spec
        .given([anneRegistered])
        .when(grant('shop', { customerIds: ['cust-herlev', 'cust-glostrup', 'cust-herlev'] }))
        .then([roleGranted('shop', ['cust-glostrup', 'cust-herlev'])]);
    });

    it('needs at least one customer for shop', () => {
      spec.given([anneRegistered]).when(grant('shop')).thenThrows('ROLE_SCOPE_REQUIRED', { field: 'customerIds' });
      spec
        .given([anneRegistered])
        .when(grant('shop', { customerIds: [] }))
        .thenThrows('ROLE_SCOPE_REQUIRED', { field: 'customerIds', role: 'shop' });
    });

    it('grants location-owner for the locations given, and needs at least one', () => {
      spec
        .given([anneRegistered])
        .when(grant('location-owner', { locationIds: ['loc-7'] }))
        .then([roleGranted('location-owner', [], ['loc-7'])]);
      spec
        .given([anneRegistered])
        .when(grant('location-owner'))
        .thenThrows('ROLE_SCOPE_REQUIRED', { field: 'locationIds' });
    });

    it('refuses a scope the role does not use', () => {
      spec
        .given([anneRegistered])
        .when(grant('admin', { customerIds: ['cust-herlev'] }))
        .thenThrows('ROLE_SCOPE_NOT_APPLICABLE', { field: 'customerIds', role: 'admin' });
      spec
        .given([anneRegistered])
        .when(grant('shop', { customerIds: ['cust-herlev'], locationIds: ['loc-7'] }))
        .thenThrows('ROLE_SCOPE_NOT_APPLICABLE', { field: 'locationIds' });
    });

    it('validates scope ids', () => {
      spec
        .given([anneRegistered])
        .when(grant('shop', { customerIds: ['cust herlev'] }))
        .thenThrows('INVALID_ID', { field: 'customerIds[0]' });
    });

    it('rejects an unknown role', () => {
      spec
        .given([anneRegistered])
        .when(grant('superuser' as GrantRole['role']))
        .thenThrows('INVALID_ROLE', { field: 'role' });
    });

    it('changes nothing when the role is held with the same scope, in any order', () => {
      spec.given([anneRegistered, anneInProduction]).when(grant('production')).thenNothing();
      spec
        .given([anneRegistered, roleGranted('shop', ['cust-glostrup', 'cust-herlev'])])
        .when(grant('shop', { customerIds: ['cust-herlev', 'cust-glostrup'] }))
        .thenNothing();
    });

    it('replaces the scope when a held role is granted with another', () => {
      const events = [anneRegistered, roleGranted('shop', ['cust-herlev'])];
      spec
        .given(events)
        .when(grant('shop', { customerIds: ['cust-glostrup'] }))
        .then([roleGranted('shop', ['cust-glostrup'])]);
      const state = fold(userDecider, [...events, roleGranted('shop', ['cust-glostrup'])]);
      expect(rolesOf(state)).toEqual([{ role: 'shop', customerIds: ['cust-glostrup'], locationIds: [] }]);
    });

    it('fails for a user that does not exist', () => {
      spec.given([]).when(grant('auditor')).thenThrows('USER_NOT_FOUND');
    });
  });

  describe('RevokeRole', () => {
    it('revokes a held role, with a reason', () => {
      spec
        .given([anneRegistered, roleGranted('auditor')])
        .when(revoke('auditor'))
        .then([{ type: 'RoleRevoked', data: { userId: 'user-anne', role: 'auditor' } }]);
      spec
        .given([anneRegistered, roleGranted('auditor')])
        .when({ ...revoke('auditor'), reason: '' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('revoking a role not held changes nothing', () => {
      spec.given([anneRegistered]).when(revoke('auditor')).thenNothing();
    });

    it('withdraws the release rights with the last releasing role', () => {
      spec
        .given([anneRegistered, anneInProduction, fdgRightGranted])
        .when(revoke('production'))
        .then([{ type: 'RoleRevoked', data: { userId: 'user-anne', role: 'production' } }, fdgRightRevoked]);
    });

    it('keeps the release rights while another releasing role remains', () => {
      spec
        .given([anneRegistered, anneInProduction, roleGranted('releaser'), fdgRightGranted])
        .when(revoke('production'))
        .then([{ type: 'RoleRevoked', data: { userId: 'user-anne', role: 'production' } }]);
    });
  });

  describe('GrantReleaseRight', () => {
    it('grants a right to release one tracer until a date', () => {
      spec.given([anneRegistered, anneInProduction]).when(grantFdg).then([fdgRightGranted]);
    });

    it('grants a right without expiry', () => {
      spec
        .given([anneRegistered, anneInProduction])
        .when({ ...grantFdg, expiresOn: null })
        .then([{ type: 'ReleaseRightGranted', data: { ...fdgRightGranted.data, expiresOn: null } }]);
    });

    it('refuses a grant to oneself', () => {
      spec
        .given([anneRegistered, anneInProduction])
        .when({ ...grantFdg, grantedBy: 'user-anne' })
        .thenThrows('SELF_GRANT_FORBIDDEN', { field: 'grantedBy', userId: 'user-anne' });
    });

    it('requires the holder to be in a releasing role: admin, production or releaser', () => {
      spec
        .given([anneRegistered])
        .when(grantFdg)
        .thenThrows('RELEASE_ROLE_REQUIRED', { anyOf: ['admin', 'production', 'releaser'] });
      spec
        .given([anneRegistered, roleGranted('shop', ['cust-herlev'])])
        .when(grantFdg)
        .thenThrows('RELEASE_ROLE_REQUIRED');
      for (const role of ['admin', 'releaser'] as const) {
        spec
          .given([anneRegistered, roleGranted(role)])
          .when(grantFdg)
          .then([fdgRightGranted]);
      }
    });

    it('refuses an expiry before the day of the grant, and accepts that day', () => {
      spec
        .given([anneRegistered, anneInProduction])
        .when({ ...grantFdg, expiresOn: '2026-03-01' })
        .thenThrows('EXPIRY_IN_PAST', { field: 'expiresOn' });
      spec
        .given([anneRegistered, anneInProduction])
        .when({ ...grantFdg, expiresOn: today })
        .then([{ type: 'ReleaseRightGranted', data: { ...fdgRightGranted.data, expiresOn: today } }]);
    });

    it('rejects an impossible expiry date', () => {
      spec
        .given([anneRegistered, anneInProduction])
        .when({ ...grantFdg, expiresOn: '2026-02-30' })
        .thenThrows('INVALID_DATE', { field: 'expiresOn' });
    });

    it('changes nothing when the same right is granted again, by anyone', () => {
      spec
        .given([anneRegistered, anneInProduction, fdgRightGranted])
        .when({ ...grantFdg, grantedBy: 'user-carl' })
        .thenNothing();
    });

    it('replaces the expiry when granted with another', () => {
      spec
        .given([anneRegistered, anneInProduction, fdgRightGranted])
        .when({ ...grantFdg, expiresOn: '2027-06-30', grantedBy: 'user-carl' })
        .then([
          {
            type: 'ReleaseRightGranted',
            data: { userId: 'user-anne', tracerId: 'tracer-fdg', expiresOn: '2027-06-30', grantedBy: 'user-carl' },
          },
        ]);
    });
  });

  describe('RevokeReleaseRight', () => {
    it('revokes a held right, with a reason', () => {
      spec.given([anneRegistered, anneInProduction, fdgRightGranted]).when(revokeFdg).then([fdgRightRevoked]);
      spec
        .given([anneRegistered, anneInProduction, fdgRightGranted])
        .when({ ...revokeFdg, reason: ' ' })
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('revoking a right not held changes nothing', () => {
      spec.given([anneRegistered, anneInProduction]).when(revokeFdg).thenNothing();
      spec.given([anneRegistered, anneInProduction, fdgRightGranted, fdgRightRevoked]).when(revokeFdg).thenNothing();
    });
  });

  describe('hasReleaseRight', () => {
    const withRight = fold(userDecider, [anneRegistered, anneInProduction, fdgRightGranted]);

    it('holds through the expiry date and not after', () => {
      expect(hasReleaseRight(withRight, 'tracer-fdg', today)).toBe(true);
      expect(hasReleaseRight(withRight, 'tracer-fdg', '2026-12-31')).toBe(true);
      expect(hasReleaseRight(withRight, 'tracer-fdg', '2027-01-01')).toBe(false);
    });

    it('is per tracer', () => {
      expect(hasReleaseRight(withRight, 'tracer-fet', today)).toBe(false);
    });

    it('never expires without an expiry date', () => {
      const forever = fold(userDecider, [
        anneRegistered,
        anneInProduction,
        { type: 'ReleaseRightGranted', data: { ...fdgRightGranted.data, expiresOn: null } },
      ]);
      expect(hasReleaseRight(forever, 'tracer-fdg', '2099-01-01')).toBe(true);
    });

    it('ends with revocation, with deactivation and for unknown users', () => {
      expect(
        hasReleaseRight(
          fold(userDecider, [anneRegistered, anneInProduction, fdgRightGranted, fdgRightRevoked]),
          'tracer-fdg',
          today,
        ),
      ).toBe(false);
      const deactivated = fold(userDecider, [
        anneRegistered,
        anneInProduction,
        fdgRightGranted,
        { type: 'UserDeactivated', data: { userId: 'user-anne' } },
      ]);
      expect(hasReleaseRight(deactivated, 'tracer-fdg', today)).toBe(false);
      expect(hasReleaseRight(userDecider.initialState(), 'tracer-fdg', today)).toBe(false);
    });

    it('needs a releasing role even for a right stored without one (as imported history may hold)', () => {
      expect(hasReleaseRight(fold(userDecider, [anneRegistered, fdgRightGranted]), 'tracer-fdg', today)).toBe(false);
    });
  });

  describe('rolesOf and holdsRole', () => {
    it('list the roles with their scopes in a fixed order', () => {
      const state = fold(userDecider, [
        anneRegistered,
        roleGranted('shop', ['cust-herlev']),
        roleGranted('auditor'),
        anneInProduction,
      ]);
      expect(rolesOf(state)).toEqual([
        { role: 'production', customerIds: [], locationIds: [] },
        { role: 'shop', customerIds: ['cust-herlev'], locationIds: [] },
        { role: 'auditor', customerIds: [], locationIds: [] },
      ]);
      expect(holdsRole(state, 'shop')).toBe(true);
      expect(holdsRole(state, 'admin')).toBe(false);
    });

    it('give nothing once the user is deactivated, though the state keeps the roles for the record', () => {
      const state = fold(userDecider, [
        anneRegistered,
        anneInProduction,
        { type: 'UserDeactivated', data: { userId: 'user-anne' } },
      ]);
      expect(rolesOf(state)).toEqual([]);
      expect(holdsRole(state, 'production')).toBe(false);
      expect(state).toMatchObject({ roles: { production: { customerIds: [], locationIds: [] } } });
    });
  });
});

describe('User customer access, given by shop admins', () => {
  const grantAccess = (customerId: string): GrantCustomerAccess => ({
    type: 'GrantCustomerAccess',
    userId: 'user-anne',
    customerId,
    at,
  });
  const revokeAccess = (customerId: string, reason = 'Left the ward'): RevokeCustomerAccess => ({
    type: 'RevokeCustomerAccess',
    userId: 'user-anne',
    customerId,
    reason,
    at,
  });

  it('given a person without shop access, when a customer is given, then the person is a shop member for it', () => {
    spec
      .given([anneRegistered])
      .when(grantAccess('cust-herlev'))
      .then([roleGranted('shop', ['cust-herlev'])]);
  });

  it('given a shop member, when another customer is given, then it joins the ones held; giving it again changes nothing', () => {
    const herlev = roleGranted('shop', ['cust-herlev']);
    spec
      .given([anneRegistered, herlev])
      .when(grantAccess('cust-glostrup'))
      .then([roleGranted('shop', ['cust-glostrup', 'cust-herlev'])]);
    spec.given([anneRegistered, herlev]).when(grantAccess('cust-herlev')).thenNothing();
  });

  it('when a customer is taken back, then the others stay; with the last one the role goes', () => {
    const both = roleGranted('shop', ['cust-glostrup', 'cust-herlev']);
    spec
      .given([anneRegistered, both])
      .when(revokeAccess('cust-herlev'))
      .then([roleGranted('shop', ['cust-glostrup'])]);
    spec
      .given([anneRegistered, roleGranted('shop', ['cust-herlev'])])
      .when(revokeAccess('cust-herlev'))
      .then([{ type: 'RoleRevoked', data: { userId: 'user-anne', role: 'shop' } }]);
    spec.given([anneRegistered, both]).when(revokeAccess('cust-rigs')).thenNothing();
  });

  it('needs a customer id, and a reason to take access back', () => {
    spec.given([anneRegistered]).when(grantAccess('')).thenThrows('FIELD_REQUIRED', { field: 'customerId' });
    spec
      .given([anneRegistered, roleGranted('shop', ['cust-herlev'])])
      .when(revokeAccess('cust-herlev', ' '))
      .thenThrows('FIELD_REQUIRED', { field: 'reason' });
  });
});
