import {
  identityEventSchemaVersions as domainSchemaVersions,
  roles as domainRoles,
  type IdentityEvent as DomainIdentityEvent,
} from '@tracershop/domain/identity';
import { identityEventSchemaVersions, identityRoles, type IdentityWebEvent } from './identity-events';

/**
 * The projection declares the identity events itself, so it builds without the domain; this spec
 * (only it) reads the domain, so a drift between the two fails the build instead of the projection.
 */
type DomainWebEvent = Exclude<DomainIdentityEvent, { type: 'UsernameClaimed' | 'UsernameReleased' }>;

/** Compiles only while every event the domain writes is one the projection reads. */
const readable = (event: DomainWebEvent): IdentityWebEvent => event;

describe('the identity events web.identity reads', () => {
  it('are the domain events but the username claims, at the domain schema versions', () => {
    const { UsernameClaimed, UsernameReleased, ...domainWebVersions } = domainSchemaVersions;
    expect([UsernameClaimed, UsernameReleased]).toHaveLength(2);
    expect(identityEventSchemaVersions).toEqual(domainWebVersions);
    expect(readable).toBeInstanceOf(Function);
  });

  it('know every role the domain grants', () => {
    expect([...identityRoles].sort()).toEqual([...domainRoles].sort());
  });
});
