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
 * cancels it (`cancelled`). A re-import with changed values starts an unordered booking over as
 * `initial`. An ordered booking keeps its order through a re-import or a cancellation: the order
 * stays in force until the shop or production withdraws it, so the booking says that its order no
 * longer matches it (`changed-after-order`, `cancelled-after-order`) instead of forgetting it.
 */
export const bookingStatuses = [
  'initial',
  'ordered',
  'changed-after-order',
  'rejected',
  'cancelled',
  'cancelled-after-order',
] as const;
export type BookingStatus = (typeof bookingStatuses)[number];

/** The statuses in which the booking holds the reference to its order. */
const statusesWithOrder: readonly BookingStatus[] = ['ordered', 'changed-after-order', 'cancelled-after-order'];

/**
 * The current system's `BookingStatus` codes; a cancelled booking is deleted there, so it has none.
 * It knows no booking changed after its order: the order still covers it there.
 */
export const bookingLegacyStatusCode: Readonly<
  Record<Exclude<BookingStatus, 'cancelled' | 'cancelled-after-order'>, 0 | 1 | 2>
> = {
  initial: 0,
  ordered: 1,
  'changed-after-order': 1,
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
  /**
   * The order made from the booking: kept while it is `ordered`, `changed-after-order` or
   * `cancelled-after-order`, also once that order is withdrawn (the booking's stream does not
   * hear of it; `bookingStatusWith` tells what the booking is then).
   */
  order: BookingOrderReference | null;
  /** Why it was rejected or cancelled; null otherwise. */
  reason: string | null;
}

/** The booking as its decider keeps it: what the API shows, and what its decisions need besides. */
export interface BookingRecord extends Booking {
  /** How many events the booking's stream holds: a mass order names the version its plan read. */
  version: number;
  /** The values the booking had when it was ordered, while it holds an order. */
  orderedAs: BookingDetails | null;
}

export type BookingState = { status: 'absent' } | BookingRecord;

/** The booking's order as its delivery day holds it now (the handler loads it, never the client). */
export interface BookingOrderCheck {
  orderId: string;
  /** False once the order is cancelled or rejected (or does not exist in its day). */
  inForce: boolean;
}

export interface BookingOrderRefs {
  /** The check of the order the booking holds; null when it holds none. */
  order: BookingOrderCheck | null;
}

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
  /**
   * The booking's version the order was planned from, and its values then. A booking changed or
   * cancelled since is marked all the same, with these values, so it names the order made from
   * them and reads `changed-after-order` or `cancelled-after-order`.
   */
  bookingVersion: number;
  plannedAs: BookingDetails;
  refs: BookingOrderRefs;
  at: IsoInstant;
}

/** Declined when mass-ordering its day. */
export interface RejectBooking {
  type: 'RejectBooking';
  accessionNumber: string;
  reason: string;
  refs: BookingOrderRefs;
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
  /**
   * A booking without an order starts over as `initial`. One with an order keeps it: `ordered`
   * while the values the order was made from are back or unchanged, else `changed-after-order`.
   * (Schema version 1 always went to `initial`, dropping the order.)
   */
  status: { from: BookingStatus; to: BookingUpdatedStatus };
}
export type BookingUpdatedStatus = 'initial' | 'ordered' | 'changed-after-order';
/** An ordered booking keeps its order: it becomes `cancelled-after-order` (`cancelledStatusAfter`). */
export interface BookingCancelledData {
  accessionNumber: string;
  reason: string;
  previousStatus: BookingStatus;
}
export interface BookingOrderedData extends BookingOrderReference {
  accessionNumber: string;
  /**
   * The values the order was made from, and what the booking is with it: `ordered`, or, changed or
   * cancelled while its order was placed, `changed-after-order` / `cancelled-after-order`. Schema
   * version 1 has neither: the order was made from the booking's values then, and it is `ordered`.
   */
  orderedAs?: BookingDetails;
  status?: BookingOrderedStatus;
}
export type BookingOrderedStatus = 'ordered' | 'changed-after-order' | 'cancelled-after-order';
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

/** The values an order is worked out from: the room (its endpoint), the procedure and the start. */
const orderedFromFields = ['locationCode', 'procedureCode', 'startDate', 'startTime'] as const;

const sameOrderValues = (a: BookingDetails, b: BookingDetails) =>
  orderedFromFields.every((field) => a[field] === b[field]);

const holdsOrder = (status: BookingStatus) => statusesWithOrder.includes(status);

/** What a cancellation makes of a booking: one that held an order keeps it. */
export const cancelledStatusAfter = (previousStatus: BookingStatus): 'cancelled' | 'cancelled-after-order' =>
  holdsOrder(previousStatus) ? 'cancelled-after-order' : 'cancelled';

/**
 * What the booking is once its order's fate is known. A withdrawn order (cancelled or rejected)
 * covers it no more: the booking is to be ordered again (or declined), and a cancelled one is
 * simply cancelled. The booking read model applies the same rule.
 */
export function bookingStatusWith(booking: Pick<Booking, 'status' | 'order'>, orderInForce: boolean): BookingStatus {
  if (booking.order === null || orderInForce) return booking.status;
  switch (booking.status) {
    case 'ordered':
    case 'changed-after-order':
      return 'initial';
    case 'cancelled-after-order':
      return 'cancelled';
    default:
      return booking.status;
  }
}

/** Whether the booking's order is in force, as the handler found it; unknown counts as in force. */
function orderInForce(state: BookingRecord, refs: BookingOrderRefs | undefined): boolean {
  if (state.order === null) return false;
  const check = refs?.order;
  // Checked against another order than the booking holds now (it changed meanwhile): assume the worst.
  if (!check || check.orderId !== state.order.orderId) return true;
  return check.inForce;
}

function requireBooking(state: BookingState, accessionNumber: string): asserts state is BookingRecord {
  if (state.status === 'absent') {
    throw notFound('BOOKING_NOT_FOUND', `No booking ${accessionNumber}`, { accessionNumber });
  }
}

function requireNotCancelled(state: BookingRecord, status: BookingStatus, action: string) {
  if (status === 'cancelled' || status === 'cancelled-after-order') {
    throw conflict('BOOKING_CANCELLED', `Booking ${state.accessionNumber} is cancelled and cannot be ${action}`, {
      accessionNumber: state.accessionNumber,
      reason: state.reason,
      orderId: state.order?.orderId ?? null,
    });
  }
}

/** The booking's order is in force: it is ordered, whether or not it still matches the order. */
export function bookingAlreadyOrdered(booking: Pick<Booking, 'accessionNumber' | 'status' | 'order'>) {
  const { accessionNumber, status, order } = booking;
  const message =
    status === 'changed-after-order'
      ? `Booking ${accessionNumber} changed after it was ordered; its order ${order?.orderId} of ${order?.date} ` +
        'is still in force: withdraw it before ordering the booking again'
      : `Booking ${accessionNumber} is already ordered`;
  return conflict('BOOKING_ALREADY_ORDERED', message, {
    accessionNumber,
    status,
    orderId: order?.orderId ?? null,
    orderEndpointId: order?.endpointId ?? null,
    orderDate: order?.date ?? null,
  });
}

function requireVersion(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw ruleViolated(
      'INVALID_BOOKING_VERSION',
      'bookingVersion must be the booking version the order was planned from',
      {
        field: 'bookingVersion',
        value,
      },
    );
  }
  return value;
}

/** The values a mass order planned from, as the handler read them from the booking. */
function plannedValues(plannedAs: BookingDetails | undefined): BookingDetails {
  if (typeof plannedAs !== 'object' || plannedAs === null) {
    throw ruleViolated('INVALID_PLANNED_VALUES', 'plannedAs must be the booking values the order was planned from', {
      field: 'plannedAs',
    });
  }
  return {
    locationCode: requireLocationCode(plannedAs.locationCode),
    procedureCode: requireProcedureCode(plannedAs.procedureCode),
    procedureDescription: plannedAs.procedureDescription ?? null,
    startDate: requireCalendarDate(plannedAs.startDate, 'plannedAs.startDate'),
    startTime: requireClockTime(plannedAs.startTime, 'plannedAs.startTime'),
  };
}

/**
 * The mark of an order planned from an earlier version of the booking: the booking names the order
 * with the values it was made from, and reads `changed-after-order` (or `ordered` if they are its
 * values again) or, cancelled meanwhile, `cancelled-after-order`; so it is never ordered again
 * while that order is in force. Refused only when the booking holds another order in force.
 */
function orderedSincePlanned(state: BookingRecord, command: MarkBookingOrdered, plannedAs: BookingDetails) {
  const { accessionNumber, orderId, endpointId, date } = command;
  if (orderInForce(state, command.refs)) throw bookingAlreadyOrdered(state);
  if (date !== plannedAs.startDate) {
    throw ruleViolated('BOOKING_ON_ANOTHER_DATE', `Booking ${accessionNumber} was planned for ${plannedAs.startDate}`, {
      accessionNumber,
      startDate: plannedAs.startDate,
      date,
    });
  }
  const cancelled = state.status === 'cancelled' || state.status === 'cancelled-after-order';
  const status: BookingOrderedStatus = cancelled
    ? 'cancelled-after-order'
    : sameOrderValues(plannedAs, state)
      ? 'ordered'
      : 'changed-after-order';
  const ordered: BookingOrdered = {
    type: 'BookingOrdered',
    data: { accessionNumber, orderId, endpointId, date, orderedAs: plannedAs, status },
  };
  return [ordered];
}

// Decider

const initialState = (): BookingState => ({ status: 'absent' });

function evolveRecord(state: BookingRecord, event: BookingEvent): BookingRecord {
  switch (event.type) {
    case 'BookingImported':
      // A stream begins with its import (`evolve`); it is never imported twice.
      return state;
    case 'BookingUpdated': {
      const to = event.data.status.to;
      const keepsOrder = to !== 'initial';
      return {
        ...state,
        ...applyChanges(detailsOf(state), event.data.changes),
        status: to,
        order: keepsOrder ? state.order : null,
        orderedAs: keepsOrder ? state.orderedAs : null,
        reason: null,
      };
    }
    case 'BookingCancelled':
      return { ...state, status: cancelledStatusAfter(event.data.previousStatus), reason: event.data.reason };
    case 'BookingOrdered': {
      const { orderId, endpointId, date, orderedAs, status = 'ordered' } = event.data;
      return {
        ...state,
        status,
        order: { orderId, endpointId, date },
        orderedAs: orderedAs ?? detailsOf(state),
        // A booking cancelled while it was ordered keeps why.
        reason: status === 'cancelled-after-order' ? state.reason : null,
      };
    }
    case 'BookingRejected':
      return { ...state, status: 'rejected', order: null, orderedAs: null, reason: event.data.reason };
  }
}

function evolve(state: BookingState, event: BookingEvent): BookingState {
  if (event.type === 'BookingImported') {
    const { accessionNumber, status, ...details } = event.data;
    return { accessionNumber, ...detailsOf(details), status, order: null, reason: null, version: 1, orderedAs: null };
  }
  if (state.status === 'absent') return state;
  return { ...evolveRecord(state, event), version: state.version + 1 };
}

/** The status a re-import leads to: an ordered booking keeps its order, matching it or not. */
function statusAfterImport(state: BookingRecord, details: BookingDetails): BookingUpdatedStatus {
  if (!holdsOrder(state.status) || state.orderedAs === null) return 'initial';
  return sameOrderValues(state.orderedAs, details) ? 'ordered' : 'changed-after-order';
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
      const cancelled = state.status === 'cancelled' || state.status === 'cancelled-after-order';
      // The worklist sends a study again after a cancellation when it is scheduled again.
      if (!hasChanges(changes) && !cancelled) return [];
      const to = statusAfterImport(state, details);
      return [{ type: 'BookingUpdated', data: { accessionNumber, changes, status: { from: state.status, to } } }];
    }
    case 'CancelBooking': {
      const reason = requireReason(command.reason);
      requireBooking(state, accessionNumber);
      if (state.status === 'cancelled' || state.status === 'cancelled-after-order') return [];
      return [{ type: 'BookingCancelled', data: { accessionNumber, reason, previousStatus: state.status } }];
    }
    case 'MarkBookingOrdered': {
      const orderId = requireId(command.orderId, 'orderId');
      const endpointId = requireId(command.endpointId, 'endpointId');
      const date = requireCalendarDate(command.date, 'date');
      const bookingVersion = requireVersion(command.bookingVersion);
      const plannedAs = plannedValues(command.plannedAs);
      requireBooking(state, accessionNumber);
      // The same order again (a retried mass order) changes nothing.
      if (state.order?.orderId === orderId) return [];
      // A re-import or cancellation between the plan and now: the order is in force all the same, so
      // the booking names it, unless it holds another order in force (which the answer names).
      if (bookingVersion !== state.version) return orderedSincePlanned(state, command, plannedAs);
      const status = bookingStatusWith(state, orderInForce(state, command.refs));
      requireNotCancelled(state, status, 'ordered');
      // An order in force covers it: another order would order it twice.
      if (status === 'ordered' || status === 'changed-after-order') throw bookingAlreadyOrdered(state);
      if (date !== state.startDate) {
        throw ruleViolated('BOOKING_ON_ANOTHER_DATE', `Booking ${accessionNumber} starts on ${state.startDate}`, {
          accessionNumber,
          startDate: state.startDate,
          date,
        });
      }
      return [
        {
          type: 'BookingOrdered',
          data: { accessionNumber, orderId, endpointId, date, orderedAs: detailsOf(state), status: 'ordered' },
        },
      ];
    }
    case 'RejectBooking': {
      const reason = requireReason(command.reason);
      requireBooking(state, accessionNumber);
      const status = bookingStatusWith(state, orderInForce(state, command.refs));
      requireNotCancelled(state, status, 'rejected');
      if (status === 'ordered' || status === 'changed-after-order') throw bookingAlreadyOrdered(state);
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
