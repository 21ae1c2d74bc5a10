import { type ClosedDateEvent } from './closed-date';
import { type CustomerEvent } from './customer';
import { type DeliveryEndpointEvent } from './delivery-endpoint';
import { type DeliveryTimeSlotEvent } from './delivery-time-slot';
import { type IsotopeEvent } from './isotope';
import { type NameClaimEvent } from './name-claim';
import { type OrderingDeadlinesEvent } from './ordering-deadlines';
import { type ProductionRunEvent } from './production-run';
import { type TracerEvent } from './tracer';
import { type TracerPermissionEvent } from './tracer-permission';
import { type WeeklyCloseDaysEvent } from './weekly-close-days';

export type CatalogEvent =
  | IsotopeEvent
  | TracerEvent
  | CustomerEvent
  | DeliveryEndpointEvent
  | ProductionRunEvent
  | DeliveryTimeSlotEvent
  | TracerPermissionEvent
  | ClosedDateEvent
  | WeeklyCloseDaysEvent
  | OrderingDeadlinesEvent
  | NameClaimEvent;

export type CatalogEventType = CatalogEvent['type'];

/**
 * The schema version written into each event's envelope. Raise a type's number when its data shape
 * changes, and register an upcaster from the old version; stored events are never rewritten.
 * The Record type makes a new event type without a version a compile error.
 * 2 of every `…Updated`: the change holds its `reason` (`upcasters.ts` reads a version 1 without one).
 */
export const catalogEventSchemaVersions: Readonly<Record<CatalogEventType, number>> = {
  IsotopeRegistered: 1,
  IsotopeUpdated: 2,
  IsotopeArchived: 1,
  IsotopeRestored: 1,
  TracerRegistered: 1,
  TracerUpdated: 2,
  TracerIsotopeChanged: 1,
  TracerArchived: 1,
  TracerRestored: 1,
  CustomerRegistered: 1,
  CustomerUpdated: 2,
  CustomerArchived: 1,
  CustomerRestored: 1,
  DeliveryEndpointRegistered: 1,
  DeliveryEndpointUpdated: 2,
  DeliveryEndpointArchived: 1,
  DeliveryEndpointRestored: 1,
  ProductionRunScheduled: 1,
  ProductionRunUpdated: 2,
  ProductionRunArchived: 1,
  ProductionRunRestored: 1,
  DeliveryTimeSlotScheduled: 1,
  DeliveryTimeSlotUpdated: 2,
  DeliveryTimeSlotArchived: 1,
  DeliveryTimeSlotRestored: 1,
  TracerPermissionGranted: 1,
  TracerPermissionUpdated: 2,
  TracerPermissionRevoked: 1,
  DateClosed: 1,
  DateReopened: 1,
  WeeklyCloseDaysChanged: 1,
  OrderingDeadlineChanged: 1,
  NameClaimed: 1,
  NameReleased: 1,
};

export const catalogEventTypes = Object.keys(catalogEventSchemaVersions) as CatalogEventType[];
