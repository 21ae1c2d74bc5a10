import type { Projection } from '@tracershop/projections/engine';
import { catalogProjection } from './catalog/catalog-projection';

export { CATALOG_PROJECTION_NAME, catalogProjection, catalogRecordEventTypes } from './catalog/catalog-projection';
export * from './catalog/catalog-read-model';
export { catalogTables, type CatalogTable } from './catalog/catalog-tables';
export { InvalidReadQueryError, MAX_PAGE_SIZE } from './catalog/keyset-paging';

/** Every projection that writes the record database; the projector runs them all. */
export const recordProjections: readonly Projection[] = [catalogProjection];
