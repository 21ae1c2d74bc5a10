import type { Projection } from '@tracershop/projections/engine';
import { identityProjection } from './identity/identity-projection';

export { IDENTITY_PROJECTION_NAME, identityProjection } from './identity/identity-projection';
export * from './identity/identity-read-model';
export {
  identityEventSchemaVersions,
  identityRoles,
  identityWebEventTypes,
  type IdentityRole,
  type IdentityWebEvent,
  type IdentityWebEventType,
} from './identity/identity-events';
export { identityTables, type IdentityTable } from './identity/identity-tables';

/** Every projection that writes the web database; the projector runs them all. */
export const webProjections: readonly Projection[] = [identityProjection];
