import type { RecordedEvent } from '@tracershop/event-store';
import { assertValidProjection, eventMatcher } from '@tracershop/projections/engine';
import { allProjections } from '@tracershop/projections/all';
import { webProjections } from '..';
import { identityWebEventTypes } from './identity-events';
import { identityProjection } from './identity-projection';

describe('web.identity definition', () => {
  it('is a valid web projection of version 1, run with every other projection', () => {
    expect(() => assertValidProjection(identityProjection)).not.toThrow();
    expect(identityProjection).toMatchObject({ name: 'web.identity', version: 4, target: 'web' });
    expect(webProjections).toContain(identityProjection);
    expect(allProjections).toContain(identityProjection);
  });

  it('handles the user, api client and service endpoint events of identity streams, not the username claims', () => {
    expect([...identityWebEventTypes].sort()).toEqual(
      [
        'UserRegistered',
        'UserDetailsChanged',
        'RoleGranted',
        'RoleRevoked',
        'ReleaseRightGranted',
        'ReleaseRightRevoked',
        'PasswordSet',
        'PasswordResetRequested',
        'PasswordResetConfirmed',
        'PasswordResetWithdrawn',
        'PasswordResetExpired',
        'UserDeactivated',
        'LoginFailed',
        'UserLockedOut',
        'SessionStarted',
        'SessionEnded',
        'SignatureAttemptFailed',
        'ApiClientRegistered',
        'ApiClientScopesSet',
        'ApiTokenIssued',
        'ApiTokenRevoked',
        'ApiClientDeactivated',
        'ServiceEndpointRegistered',
        'ServiceEndpointChanged',
        'ServiceEndpointArchived',
      ].sort(),
    );
    const handles = eventMatcher(identityProjection);
    const event = (type: string, streamId: string) => ({ type, streamId }) as RecordedEvent;
    expect(handles(event('RoleGranted', 'identity.user-u1'))).toBe(true);
    expect(handles(event('ApiTokenIssued', 'identity.apiClient-c1'))).toBe(true);
    expect(handles(event('UsernameClaimed', 'identity.usernameClaim-alice'))).toBe(false);
    expect(handles(event('UsernameReleased', 'identity.usernameClaim-alice'))).toBe(false);
    expect(handles(event('RoleGranted', 'catalog.user-u1'))).toBe(false);
  });

  it('declares the nine identity tables, all utf8mb4', () => {
    expect(Object.keys(identityProjection.tables).sort()).toEqual([
      'api_clients',
      'api_tokens',
      'login_failures',
      'login_sessions',
      'release_rights',
      'service_endpoints',
      'signature_failures',
      'user_roles',
      'users',
    ]);
    for (const ddl of Object.values(identityProjection.tables)) {
      expect(ddl('`db`.`t`')).toMatch(/^\s*CREATE TABLE `db`\.`t` \([\s\S]+\) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 /);
    }
  });
});
