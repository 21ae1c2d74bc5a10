import { type BookingEvent } from './booking';
import { type LocationMappingEvent } from './location-mapping';
import { type ProcedureEvent } from './procedure';

export type BookingsEvent = BookingEvent | LocationMappingEvent | ProcedureEvent;
export type BookingsEventType = BookingsEvent['type'];

/**
 * Stored schema version per event type; a new type without a version is a compile error.
 * `BookingUpdated` 2: an ordered booking keeps its order (`status.to` may be `ordered` or
 * `changed-after-order`); a version 1 event always went to `initial`, so it reads as a version 2.
 * `BookingOrdered` 2: it holds `orderedAs` and `status` (a booking changed or cancelled while it
 * was ordered is marked with the values the order was planned from); a version 1 event has neither
 * and reads as `ordered` with the booking's values then, so it is read as-is.
 * `LocationMapped` and `ProcedureUpdated` 2: the change holds its `reason` (`upcasters.ts`).
 */
export const bookingsEventSchemaVersions: Readonly<Record<BookingsEventType, number>> = {
  BookingImported: 1,
  BookingUpdated: 2,
  BookingCancelled: 1,
  BookingOrdered: 2,
  BookingRejected: 1,
  LocationMapped: 2,
  ProcedureDefined: 1,
  ProcedureUpdated: 2,
};

export const bookingsEventTypes = Object.keys(bookingsEventSchemaVersions) as BookingsEventType[];
