import { type BookingEvent } from './booking';
import { type LocationMappingEvent } from './location-mapping';
import { type ProcedureEvent } from './procedure';

export type BookingsEvent = BookingEvent | LocationMappingEvent | ProcedureEvent;
export type BookingsEventType = BookingsEvent['type'];

/** Stored schema version per event type; a new type without a version is a compile error. */
export const bookingsEventSchemaVersions: Readonly<Record<BookingsEventType, number>> = {
  BookingImported: 1,
  BookingUpdated: 1,
  BookingCancelled: 1,
  BookingOrdered: 1,
  BookingRejected: 1,
  LocationMapped: 1,
  ProcedureDefined: 1,
  ProcedureUpdated: 1,
};

export const bookingsEventTypes = Object.keys(bookingsEventSchemaVersions) as BookingsEventType[];
