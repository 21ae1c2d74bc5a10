/**
 * Calendar arithmetic on plain strings: dates `YYYY-MM-DD` and wall-clock times `HH:MM` are local
 * (Europe/Copenhagen) business values, so they are never turned into instants here. All arithmetic
 * runs on UTC day numbers, which have no time zone and no daylight-saving gaps.
 */

/** `YYYY-MM-DD`, a valid Gregorian date. */
export type CalendarDate = string;
/** `HH:MM`, 00:00–23:59. Zero-padded, so string order is time order. */
export type ClockTime = string;
/** ISO weekday: 1 = Monday … 7 = Sunday (the legacy `day` columns use the same numbering). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
/** An ISO-8601 instant with an explicit offset, e.g. `2026-03-02T07:30:00Z`. */
export type IsoInstant = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
const INSTANT_PATTERN =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const MS_PER_DAY = 86_400_000;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isClockTime(value: unknown): value is ClockTime {
  return typeof value === 'string' && TIME_PATTERN.test(value);
}

export function isIsoWeekday(value: unknown): value is IsoWeekday {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 7;
}

export function isIsoInstant(value: unknown): value is IsoInstant {
  if (typeof value !== 'string') return false;
  const match = INSTANT_PATTERN.exec(value);
  return match !== null && isCalendarDate(match[1]) && !Number.isNaN(Date.parse(value));
}

/** Days since 1970-01-01 (negative before). Expects a valid date. */
function dayNumber(date: CalendarDate): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  // setUTCFullYear, not Date.UTC: the latter maps years 0–99 to 1900–1999.
  return Math.round(new Date(0).setUTCFullYear(year, month - 1, day) / MS_PER_DAY);
}

function dateOfDayNumber(days: number): CalendarDate {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  return dateOfDayNumber(dayNumber(date) + days);
}

export function isoWeekdayOf(date: CalendarDate): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return (((((dayNumber(date) + 3) % 7) + 7) % 7) + 1) as IsoWeekday;
}

/**
 * ISO-8601 week: weeks start on Monday, and week 1 is the week holding the year's first Thursday.
 * So a date belongs to the week-year of the Thursday of its week, which may be the previous or next
 * calendar year (2027-01-01 is in 2026-W53).
 */
export function isoWeekOf(date: CalendarDate): { weekYear: number; week: number } {
  const thursday = dayNumber(date) + 4 - isoWeekdayOf(date);
  const weekYear = new Date(thursday * MS_PER_DAY).getUTCFullYear();
  const firstOfYear = dayNumber(`${String(weekYear).padStart(4, '0')}-01-01`);
  return { weekYear, week: Math.floor((thursday - firstOfYear) / 7) + 1 };
}

/** 53 when the year starts on a Thursday, or is a leap year starting on a Wednesday; else 52. */
export function isoWeeksInYear(year: number): 52 | 53 {
  // 28 December always lies in the year's last ISO week.
  return isoWeekOf(`${String(year).padStart(4, '0')}-12-28`).week as 52 | 53;
}
