import type { Projection } from '@tracershop/projections/engine';
import { auditProjection } from './audit/audit-projection';
import { bookingsProjection } from './bookings/bookings-projection';
import { catalogProjection } from './catalog/catalog-projection';
import { legacySyncProjection } from './legacy-sync/legacy-sync-projection';
import { orderingProjection } from './ordering/ordering-projection';

export { CATALOG_PROJECTION_NAME, catalogProjection, catalogRecordEventTypes } from './catalog/catalog-projection';
export * from './catalog/catalog-read-model';
export { catalogTables, type CatalogTable } from './catalog/catalog-tables';
export { InvalidReadQueryError, MAX_PAGE_SIZE } from './catalog/keyset-paging';
export { ORDERING_PROJECTION_NAME, orderingProjection, orderingRecordEventTypes } from './ordering/ordering-projection';
export * from './ordering/ordering-read-model';
export { orderingTables, type OrderingTable } from './ordering/ordering-tables';
export { BOOKINGS_PROJECTION_NAME, bookingsProjection } from './bookings/bookings-projection';
export * from './bookings/bookings-read-model';
export { bookingsTables, type BookingsTable } from './bookings/bookings-tables';
export { AUDIT_PROJECTION_NAME, auditProjection, auditRecordEventTypes } from './audit/audit-projection';
export * from './audit/audit-read-model';
export { auditTables, type AuditTable } from './audit/audit-tables';
export { LEGACY_SYNC_PROJECTION_NAME, legacySyncProjection } from './legacy-sync/legacy-sync-projection';
export { legacySyncTables, type LegacySyncTable } from './legacy-sync/legacy-sync-tables';

/** Every projection that writes the record database; the projector runs them all. */
export const recordProjections: readonly Projection[] = [
  catalogProjection,
  orderingProjection,
  bookingsProjection,
  legacySyncProjection,
  auditProjection,
];
