import { notFound, ruleViolated } from '../kernel';
import { isoWeekdayOf, type CalendarDate, type ClockTime, type IsoWeekday, type TracerKind } from '../catalog';
import { decayFactor } from '../ordering/decay';
import { type ProcedureDetails } from './procedure';

/**
 * The mass order ("massOrder" in the current system): the orders a day's bookings need, worked
 * out without I/O. The handler loads what it needs from the event store, plans, and places each
 * planned order through the ordering rules (deadline, slot delivering, permission) as any order.
 */

export interface PlannableBooking {
  accessionNumber: string;
  /** The endpoint the booking's room is mapped to; null while the room is unmapped. */
  endpointId: string | null;
  locationCode: string;
  procedureCode: string;
  startDate: CalendarDate;
  startTime: ClockTime;
}

export interface PlannableProcedure extends ProcedureDetails {
  procedureCode: string;
  endpointId: string;
}

/** A delivery slot that delivers on the day planned (the handler drops the others). */
export interface PlannableSlot {
  slotId: string;
  endpointId: string;
  /** The tracer of the slot's production run. */
  tracerId: string;
  /** The production run's weekday. */
  weekday: IsoWeekday;
  deliveryTime: ClockTime;
}

/** How one booking adds to an activity order. */
export interface ActivityContribution {
  accessionNumber: string;
  /** MBq at injection (the procedure's units). */
  units: number;
  /** Study start + the procedure's delay; may pass midnight (`minutesAfterSlot` stays exact). */
  injectionTime: ClockTime;
  minutesAfterSlot: number;
  /** units · exp(ln2 · (t_injection − t_slot) / T½), unrounded. */
  activityAtSlotMBq: number;
}

export interface PlannedActivityOrder {
  kind: 'activity';
  endpointId: string;
  date: CalendarDate;
  slotId: string;
  tracerId: string;
  deliveryTime: ClockTime;
  /** The sum of the contributions at the slot's delivery time, rounded down. */
  activityMBq: number;
  exactActivityMBq: number;
  /** Accession numbers, in the order of their injection times. */
  bookingIds: string[];
  contributions: ActivityContribution[];
}

export interface PlannedInjectionOrder {
  kind: 'injection';
  endpointId: string;
  date: CalendarDate;
  tracerId: string;
  /** The booking's start time. */
  deliveryTime: ClockTime;
  injections: number;
  usage: 'human';
  bookingIds: [string];
}

export interface SkippedBooking {
  accessionNumber: string;
  procedureCode: string;
  endpointId: string;
  reason: 'NO_PROCEDURE';
}

export interface MassOrderPlan {
  activityOrders: PlannedActivityOrder[];
  injectionOrders: PlannedInjectionOrder[];
  /** Bookings whose procedure is not defined at their endpoint: nothing is ordered for them. */
  skipped: SkippedBooking[];
}

const MINUTES_PER_DAY = 24 * 60;
/** Sums of floating-point terms may land a hair below a whole number they equal exactly. */
const ROUNDING_TOLERANCE = 1e-9;

const minutesOf = (time: ClockTime) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const clockTimeOf = (minutes: number): ClockTime => {
  const inDay = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  return `${String(Math.floor(inDay / 60)).padStart(2, '0')}:${String(inDay % 60).padStart(2, '0')}`;
};

/** Round down, as the current system's mass order and fulfilment do. */
export const roundDownMBq = (activity: number) => Math.floor(activity + ROUNDING_TOLERANCE);

const procedureKey = (procedureCode: string, endpointId: string) => JSON.stringify([procedureCode, endpointId]);

/**
 * Per booking, in order of start time:
 * - no endpoint (room not mapped) → error `BOOKING_LOCATION_NOT_MAPPED`;
 * - no procedure for (code, endpoint) → skipped;
 * - injection tracer → one injection order at the booking's start time, injections = units, human use;
 * - activity tracer → injection time t_i = start + delay; the latest slot of the endpoint for that
 *   tracer on that weekday whose delivery time ≤ t_i (none → `NO_VALID_TIME_SLOT` with the earliest
 *   slot time); activity at the slot = units · exp(ln2 · (t_i − t_slot) / T½).
 * Activities are summed per slot and rounded down: one activity order per slot.
 */
export function planMassOrder(
  bookings: readonly PlannableBooking[],
  procedures: readonly PlannableProcedure[],
  slots: readonly PlannableSlot[],
  tracerKinds: Readonly<Record<string, TracerKind>>,
  halfLives: Readonly<Record<string, number>>,
): MassOrderPlan {
  const procedureOf = new Map(
    procedures.map((procedure) => [procedureKey(procedure.procedureCode, procedure.endpointId), procedure]),
  );
  const seen = new Set<string>();
  const ordered = [...bookings].sort(
    (a, b) =>
      a.startDate.localeCompare(b.startDate) ||
      a.startTime.localeCompare(b.startTime) ||
      (a.accessionNumber < b.accessionNumber ? -1 : a.accessionNumber > b.accessionNumber ? 1 : 0),
  );
  const perSlot = new Map<string, PlannedActivityOrder>();
  const injectionOrders: PlannedInjectionOrder[] = [];
  const skipped: SkippedBooking[] = [];

  for (const booking of ordered) {
    const { accessionNumber } = booking;
    if (seen.has(accessionNumber)) {
      throw ruleViolated('DUPLICATE_BOOKING', `Booking ${accessionNumber} is listed twice`, { accessionNumber });
    }
    seen.add(accessionNumber);
    const { endpointId } = booking;
    if (endpointId === null) {
      throw ruleViolated(
        'BOOKING_LOCATION_NOT_MAPPED',
        `The room ${booking.locationCode} of booking ${accessionNumber} is not mapped to a delivery endpoint`,
        { accessionNumber, locationCode: booking.locationCode },
      );
    }
    const procedure = procedureOf.get(procedureKey(booking.procedureCode, endpointId));
    if (!procedure) {
      skipped.push({ accessionNumber, procedureCode: booking.procedureCode, endpointId, reason: 'NO_PROCEDURE' });
      continue;
    }
    const { tracerId } = procedure;
    const kind = tracerKinds[tracerId];
    if (kind === undefined) {
      throw notFound(
        'TRACER_NOT_FOUND',
        `The tracer ${tracerId} of procedure ${procedure.procedureCode} does not exist`,
        {
          tracerId,
          procedureCode: procedure.procedureCode,
        },
      );
    }
    if (kind === 'injection') {
      injectionOrders.push({
        kind: 'injection',
        endpointId,
        date: booking.startDate,
        tracerId,
        deliveryTime: booking.startTime,
        injections: procedure.tracerUnits,
        usage: 'human',
        bookingIds: [accessionNumber],
      });
      continue;
    }

    const injectionMinutes = minutesOf(booking.startTime) + procedure.delayMinutes;
    const weekday = isoWeekdayOf(booking.startDate);
    const candidates = slots
      .filter((slot) => slot.endpointId === endpointId && slot.tracerId === tracerId && slot.weekday === weekday)
      .sort((a, b) => minutesOf(a.deliveryTime) - minutesOf(b.deliveryTime) || (a.slotId < b.slotId ? -1 : 1));
    const slot = candidates.filter((candidate) => minutesOf(candidate.deliveryTime) <= injectionMinutes).pop();
    if (!slot) {
      throw ruleViolated(
        'NO_VALID_TIME_SLOT',
        `No delivery of ${tracerId} at ${endpointId} on ${booking.startDate} arrives before the injection of booking ${accessionNumber} at ${clockTimeOf(injectionMinutes)}`,
        {
          accessionNumber,
          endpointId,
          tracerId,
          date: booking.startDate,
          injectionTime: clockTimeOf(injectionMinutes),
          earliestSlotTime: candidates[0]?.deliveryTime ?? null,
        },
      );
    }
    const halfLifeSeconds = halfLives[tracerId];
    if (halfLifeSeconds === undefined) {
      throw notFound('ISOTOPE_NOT_FOUND', `The half-life of tracer ${tracerId} is not known`, { tracerId });
    }
    const minutesAfterSlot = injectionMinutes - minutesOf(slot.deliveryTime);
    const activityAtSlotMBq = procedure.tracerUnits * decayFactor(minutesAfterSlot * 60, halfLifeSeconds);
    const key = JSON.stringify([slot.slotId, booking.startDate]);
    const order =
      perSlot.get(key) ??
      ({
        kind: 'activity',
        endpointId,
        date: booking.startDate,
        slotId: slot.slotId,
        tracerId,
        deliveryTime: slot.deliveryTime,
        activityMBq: 0,
        exactActivityMBq: 0,
        bookingIds: [],
        contributions: [],
      } satisfies PlannedActivityOrder);
    order.contributions.push({
      accessionNumber,
      units: procedure.tracerUnits,
      injectionTime: clockTimeOf(injectionMinutes),
      minutesAfterSlot,
      activityAtSlotMBq,
    });
    perSlot.set(key, order);
  }

  const activityOrders = [...perSlot.values()]
    .map((order) => {
      const contributions = [...order.contributions].sort((a, b) => a.minutesAfterSlot - b.minutesAfterSlot);
      const exactActivityMBq = contributions.reduce((sum, contribution) => sum + contribution.activityAtSlotMBq, 0);
      return {
        ...order,
        contributions,
        bookingIds: contributions.map((contribution) => contribution.accessionNumber),
        exactActivityMBq,
        activityMBq: roundDownMBq(exactActivityMBq),
      };
    })
    .sort(
      (a, b) =>
        a.date.localeCompare(b.date) || a.deliveryTime.localeCompare(b.deliveryTime) || (a.slotId < b.slotId ? -1 : 1),
    );
  return { activityOrders, injectionOrders, skipped };
}
