import { conflict, notFound, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import {
  applyChanges,
  changedFields,
  hasChanges,
  optionalText,
  requireCalendarDate,
  requireClockTime,
  requireId,
  requireInstant,
  requireReason,
  type CalendarDate,
  type ClockTime,
  type FieldChanges,
  type IsoInstant,
} from '../catalog';
import {
  bookingFieldLengths,
  requireAccessionNumber,
  requireLocationCode,
  requireProcedureCode,
} from './booking-fields';

/**
 * A patient study from the hospital worklist (RIS, HL7 `ORM^O01`). Accession numbers are unique,
 * so each booking has a stream of its own; the number is URI-encoded because the RIS may use any
 * character. A booking is never deleted: a cancellation is an event with a reason.
 *
 * Only what ordering needs is kept (room, procedure, start): no patient data enters the events.
 */
export const bookingStreamName = (accessionNumber: string) => `bookings.booking-${encodeURIComponent(accessionNumber)}`;

/**
 * `initial` until a mass order orders it (`ordered`) or declines it (`rejected`); the worklist
 * cancels it (`cancelled`). A re-import with changed values starts it over as `initial`.
 */
export const bookingStatuses = ['initial', 'ordered', 'rejected', 'cancelled'] as const;
export type BookingStatus = (typeof bookingStatuses)[number];

/** The current system's `BookingStatus` codes; a cancelled booking is deleted there, so it has none. */
export const bookingLegacyStatusCode: Readonly<Record<Exclude<BookingStatus, 'cancelled'>, 0 | 1 | 2>> = {
  initial: 0,
  ordered: 1,
  rejected: 2,
};

export interface BookingDetails {
  /** RIS room code (HL7 `OBR-21`); production maps it to a delivery endpoint. */
  locationCode: string;
  /** HL7 `OBR-4` identifier; with the endpoint it names the procedure definition. */
  procedureCode: string;
  procedureDescription: string | null;
  /** Local (Europe/Copenhagen) date and time of the study's start, HL7 `ORC-7.4`. */
  startDate: CalendarDate;
  startTime: ClockTime;
}

export interface BookingOrderReference {
  orderId: string;
  endpointId: string;
  date: CalendarDate;
}

export interface Booking extends BookingDetails {
  accessionNumber: string;
  status: BookingStatus;
  /** The order that covers the booking while it is `ordered`. */
  order: BookingOrderReference | null;
  /** Why it was rejected or cancelled; null otherwise. */
  reason: string | null;
}

export type BookingState = { status: 'absent' } | Booking;

// Commands

export interface ImportBooking {
  type: 'ImportBooking';
  accessionNumber: string;
  locationCode: string;
  procedureCode: string;
  procedureDescription?: string | null;
  startDate: CalendarDate;
  startTime: ClockTime;
  at: IsoInstant;
}

export interface CancelBooking {
  type: 'CancelBooking';
  accessionNumber: string;
  reason: string;
  at: IsoInstant;
}

/** Recorded after the order that covers the booking was placed. */
export interface MarkBookingOrdered {
  type: 'MarkBookingOrdered';
  accessionNumber: string;
  orderId: string;
  endpointId: string;
  date: CalendarDate;
  at: IsoInstant;
}

/** Declined when mass-ordering its day. */
export interface RejectBooking {
  type: 'RejectBooking';
  accessionNumber: string;
  reason: string;
  at: IsoInstant;
}

export type BookingCommand = ImportBooking | CancelBooking | MarkBookingOrdered | RejectBooking;

// Events

export interface BookingImportedData extends BookingDetails {
  accessionNumber: string;
  status: 'initial';
}
export interface BookingUpdatedData {
  accessionNumber: string;
  /** Old and new value of each changed field; empty when a cancelled booking is imported again unchanged. */
  changes: FieldChanges<BookingDetails>;
  /** A re-import always starts the booking over. */
  status: { from: BookingStatus; to: 'initial' };
}
export interface BookingCancelledData {
  accessionNumber: string;
  reason: string;
  previousStatus: BookingStatus;
}
export interface BookingOrderedData extends BookingOrderReference {
  accessionNumber: string;
}
export interface BookingRejectedData {
  accessionNumber: string;
  reason: string;
  previousStatus: BookingStatus;
}

export type BookingImported = DomainEvent<'BookingImported', BookingImportedData>;
export type BookingUpdated = DomainEvent<'BookingUpdated', BookingUpdatedData>;
export type BookingCancelled = DomainEvent<'BookingCancelled', BookingCancelledData>;
export type BookingOrdered = DomainEvent<'BookingOrdered', BookingOrderedData>;
export type BookingRejected = DomainEvent<'BookingRejected', BookingRejectedData>;
export type BookingEvent = BookingImported | BookingUpdated | BookingCancelled | BookingOrdered | BookingRejected;

// Rules

function validDetails(command: ImportBooking): BookingDetails {
  return {
    locationCode: requireLocationCode(command.locationCode),
    procedureCode: requireProcedureCode(command.procedureCode),
    procedureDescription: optionalText(
      command.procedureDescription,
      'procedureDescription',
      bookingFieldLengths.procedureDescription,
    ),
    startDate: requireCalendarDate(command.startDate, 'startDate'),
    startTime: requireClockTime(command.startTime, 'startTime'),
  };
}

const detailsOf = (booking: BookingDetails): BookingDetails => ({
  locationCode: booking.locationCode,
  procedureCode: booking.procedureCode,
  procedureDescription: booking.procedureDescription,
  startDate: booking.startDate,
  startTime: booking.startTime,
});

function requireBooking(state: BookingState, accessionNumber: string): asserts state is Booking {
  if (state.status === 'absent') {
    throw notFound('BOOKING_NOT_FOUND', `No booking ${accessionNumber}`, { accessionNumber });
  }
}

function requireNotCancelled(state: Booking, action: string) {
  if (state.status === 'cancelled') {
    throw conflict('BOOKING_CANCELLED', `Booking ${state.accessionNumber} is cancelled and cannot be ${action}`, {
      accessionNumber: state.accessionNumber,
      reason: state.reason,
    });
  }
}

function alreadyOrdered(state: Booking) {
  return conflict('BOOKING_ALREADY_ORDERED', `Booking ${state.accessionNumber} is already ordered`, {
    accessionNumber: state.accessionNumber,
    orderId: state.order?.orderId ?? null,
  });
}

// Decider

const initialState = (): BookingState => ({ status: 'absent' });

function evolve(state: BookingState, event: BookingEvent): BookingState {
  if (event.type === 'BookingImported') {
    const { accessionNumber, status, ...details } = event.data;
    return { accessionNumber, ...detailsOf(details), status, order: null, reason: null };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'BookingUpdated':
      return {
        ...state,
        ...applyChanges(detailsOf(state), event.data.changes),
        status: event.data.status.to,
        order: null,
        reason: null,
      };
    case 'BookingCancelled':
      return { ...state, status: 'cancelled', reason: event.data.reason };
    case 'BookingOrdered': {
      const { orderId, endpointId, date } = event.data;
      return { ...state, status: 'ordered', order: { orderId, endpointId, date }, reason: null };
    }
    case 'BookingRejected':
      return { ...state, status: 'rejected', order: null, reason: event.data.reason };
  }
}

function decide(command: BookingCommand, state: BookingState): BookingEvent[] {
  requireInstant(command.at);
  const accessionNumber = requireAccessionNumber(command.accessionNumber);
  switch (command.type) {
    case 'ImportBooking': {
      const details = validDetails(command);
      if (state.status === 'absent') {
        return [{ type: 'BookingImported', data: { accessionNumber, ...details, status: 'initial' } }];
      }
      const changes = changedFields(detailsOf(state), details);
      // The worklist sends a study again after a cancellation when it is scheduled again.
      if (!hasChanges(changes) && state.status !== 'cancelled') return [];
      return [
        { type: 'BookingUpdated', data: { accessionNumber, changes, status: { from: state.status, to: 'initial' } } },
      ];
    }
    case 'CancelBooking': {
      const reason = requireReason(command.reason);
      requireBooking(state, accessionNumber);
      if (state.status === 'cancelled') return [];
      return [{ type: 'BookingCancelled', data: { accessionNumber, reason, previousStatus: state.status } }];
    }
    case 'MarkBookingOrdered': {
      const orderId = requireId(command.orderId, 'orderId');
      const endpointId = requireId(command.endpointId, 'endpointId');
      const date = requireCalendarDate(command.date, 'date');
      requireBooking(state, accessionNumber);
      requireNotCancelled(state, 'ordered');
      if (state.status === 'ordered') {
        // The same order again (a retried mass order) changes nothing; another order would order it twice.
        if (state.order?.orderId === orderId) return [];
        throw alreadyOrdered(state);
      }
      if (date !== state.startDate) {
        throw ruleViolated('BOOKING_ON_ANOTHER_DATE', `Booking ${accessionNumber} starts on ${state.startDate}`, {
          accessionNumber,
          startDate: state.startDate,
          date,
        });
      }
      return [{ type: 'BookingOrdered', data: { accessionNumber, orderId, endpointId, date } }];
    }
    case 'RejectBooking': {
      const reason = requireReason(command.reason);
      requireBooking(state, accessionNumber);
      requireNotCancelled(state, 'rejected');
      if (state.status === 'ordered') throw alreadyOrdered(state);
      if (state.status === 'rejected') return [];
      return [{ type: 'BookingRejected', data: { accessionNumber, reason, previousStatus: state.status } }];
    }
  }
}

export const bookingDecider: Decider<BookingCommand, BookingEvent, BookingState> = {
  initialState,
  evolve,
  decide,
};
