import { type Decider, type DomainEvent } from '../kernel';
import { type CalendarDate, type IsoInstant } from '../catalog/calendar';
import { requireCalendarDate, requireInstant } from '../catalog/field-validation';

/**
 * The business dates that have begun, as the worker's clock saw them (in the business time zone).
 * Read models have no clock: what changes only because time passes, such as a delivery time slot
 * whose expiry date has come (it delivers on dates strictly before it), follows these events. The
 * legacy projection takes such a slot out of `deliverTimes`, so the old system no longer offers it.
 */
export const BUSINESS_CALENDAR_STREAM = 'legacy.businessCalendar';

// Commands

export interface BeginBusinessDate {
  type: 'BeginBusinessDate';
  /** Today in the business time zone. */
  date: CalendarDate;
  at: IsoInstant;
}

export type BusinessCalendarCommand = BeginBusinessDate;

// Events

export interface BusinessDateBeganData {
  date: CalendarDate;
}

export type BusinessDateBegan = DomainEvent<'BusinessDateBegan', BusinessDateBeganData>;
export type BusinessCalendarEvent = BusinessDateBegan;

// State

export interface BusinessCalendarState {
  /** The latest date begun; null before the first. */
  date: CalendarDate | null;
}

/** A date begins once; a date no later than the latest begun (a second worker, a clock set back) changes nothing. */
function decide(command: BusinessCalendarCommand, state: BusinessCalendarState): BusinessCalendarEvent[] {
  requireInstant(command.at);
  const date = requireCalendarDate(command.date, 'date');
  if (state.date !== null && date <= state.date) return [];
  return [{ type: 'BusinessDateBegan', data: { date } }];
}

function evolve(state: BusinessCalendarState, event: BusinessCalendarEvent): BusinessCalendarState {
  return { date: state.date !== null && state.date > event.data.date ? state.date : event.data.date };
}

export const businessCalendarDecider: Decider<BusinessCalendarCommand, BusinessCalendarEvent, BusinessCalendarState> = {
  initialState: () => ({ date: null }),
  evolve,
  decide,
};

/** The schema version written into each event's envelope (see the catalogue's for the rule). */
export const businessCalendarEventSchemaVersions: Readonly<Record<BusinessCalendarEvent['type'], number>> = {
  BusinessDateBegan: 1,
};
