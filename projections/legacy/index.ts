import type { Projection } from '@tracershop/projections/engine';
import { createLegacyProjection } from './legacy-projection';
import { DEFAULT_LEGACY_TIME_ZONE } from './legacy-time';

export {
  createLegacyProjection,
  CUSTOMER_ROLE,
  LEGACY_PROJECTION_NAME,
  legacyEventTypes,
  legacyPhone,
  type LegacyEventType,
  type LegacyProjectionOptions,
} from './legacy-projection';
export * from './legacy-delivery-day';
export * from './legacy-tables';
export * from './legacy-time';

/**
 * The projector's instance. The legacy tables' naive times are in the business time zone,
 * `BUSINESS_TIME_ZONE` (the same variable the configuration validates at boot; default
 * Europe/Copenhagen).
 */
export const legacyProjection: Projection = createLegacyProjection({
  timeZone: process.env.BUSINESS_TIME_ZONE || DEFAULT_LEGACY_TIME_ZONE,
});
export * from './legacy-reconciliation';
export * from './legacy-id-ranges';
