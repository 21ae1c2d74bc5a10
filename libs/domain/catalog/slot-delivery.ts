import { isoWeekdayOf, isoWeekOf, type CalendarDate, type IsoWeekday } from './calendar';
import { type DeliveryTimeSlot, type DeliveryTimeSlotState, type WeeklyRepeat } from './delivery-time-slot';
import { requireCalendarDate, requireWeekday } from './field-validation';
import { isWeeklyCloseDay } from './weekly-close-days';

/** Days on which nothing is delivered: dated closures and weekly close days. */
export interface ClosedDays {
  /** Dates whose ClosedDate stream is closed. */
  dates: ReadonlySet<CalendarDate> | readonly CalendarDate[];
  /** Bitmask, bit 0 = Monday … bit 6 = Sunday. */
  weeklyCloseDays: number;
}

/**
 * Even and odd refer to the ISO week number, not to a count of weeks since some start. In a 53-week
 * ISO year, weeks 53 and 1 are both odd, so an odd-week slot delivers two weeks in a row and an
 * even-week slot skips two.
 */
export function repeatMatches(repeat: WeeklyRepeat, date: CalendarDate): boolean {
  if (repeat === 'every') return true;
  const isOddWeek = isoWeekOf(date).week % 2 === 1;
  return repeat === 'odd' ? isOddWeek : !isOddWeek;
}

/**
 * Whether the slot delivers on `date` ("When a slot delivers on a date"): the date falls on the
 * run's weekday, in a week the repeat rule selects, before the slot expires, and is neither a
 * closed date nor a weekly close day. An archived slot delivers nothing.
 */
export function slotDeliversOn(
  slot: Pick<DeliveryTimeSlot, 'repeat' | 'expiryDate'> & { status?: DeliveryTimeSlotState['status'] },
  productionRunWeekday: IsoWeekday,
  date: CalendarDate,
  closedDays: ClosedDays,
): boolean {
  requireCalendarDate(date, 'date');
  requireWeekday(productionRunWeekday, 'productionRunWeekday');
  if (slot.status === 'archived' || slot.status === 'absent') return false;
  const weekday = isoWeekdayOf(date);
  if (weekday !== productionRunWeekday) return false;
  if (!repeatMatches(slot.repeat, date)) return false;
  // ISO dates compare as strings; the expiry date itself is no longer served.
  if (slot.expiryDate !== null && slot.expiryDate !== undefined && date >= slot.expiryDate) return false;
  if (new Set(closedDays.dates).has(date)) return false;
  return !isWeeklyCloseDay(closedDays.weeklyCloseDays, weekday);
}
