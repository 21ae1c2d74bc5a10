import type { Upcaster } from '@tracershop/event-store';

/**
 * An event type whose version 2 added the reason of the change (GMP, Annex 11 §9). Its version 1
 * events were recorded before a reason was required: they read as version 2 with `reason: null`,
 * never with a reason made up afterwards, and the stored original stays as it is.
 */
export const reasonNotRecordedBeforeVersion2 = (type: string): Upcaster => ({
  type,
  fromVersion: 1,
  toVersion: 2,
  upcast: (data) => ({ ...(data as object), reason: null }),
});

/** The catalogue's upcasters, from each older stored schema version to the next. */
export const catalogUpcasters: readonly Upcaster[] = [
  'IsotopeUpdated',
  'TracerUpdated',
  'CustomerUpdated',
  'DeliveryEndpointUpdated',
  'ProductionRunUpdated',
  'DeliveryTimeSlotUpdated',
  'TracerPermissionUpdated',
].map(reasonNotRecordedBeforeVersion2);
