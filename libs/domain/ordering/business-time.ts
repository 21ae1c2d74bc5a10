import type { CalendarDate, ClockTime } from '../catalog';

/**
 * Delivery dates and slot times are naive wall-clock values of the business time zone
 * (`BUSINESS_TIME_ZONE`). Across a daylight-saving change two of them are not as far apart as
 * their clock readings say, and decay runs on real time: these resolve them to instants with the
 * zone's rules (Intl, as the API's business clock does). Pure: the same date, time and zone always
 * give the same instant.
 */

export const DEFAULT_BUSINESS_TIME_ZONE = 'Europe/Copenhagen';

/** Where a day's wall-clock times are read: a delivery date in the business time zone. */
export interface BusinessDay {
  date: CalendarDate;
  timeZone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The wall-clock fields (year to second, 24-hour) of instants in a zone: one formatter per zone, as
 * building an Intl.DateTimeFormat costs far more than using one. Throws for a zone Intl does not know.
 */
export function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock of an instant in the zone, read as if it were UTC (ms). */
function wallClockMs(instantMs: number, timeZone: string): number {
  const parts = wallClockFormatter(timeZone).formatToParts(new Date(instantMs));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
}

/** The zone's offset from UTC at an instant, in ms. */
const offsetAt = (instantMs: number, timeZone: string) => wallClockMs(instantMs, timeZone) - instantMs;

const HALF_DAY_MS = 12 * 60 * 60 * 1000;

/**
 * The instant (ms since the epoch) a wall-clock time of a date stands for in the zone. A time the
 * clock skips (the spring gap) is read with the offset before the change, so it lands as far after
 * the gap as it was into it; a time the clock shows twice (autumn) is its first occurrence. Offsets
 * change at most once within half a day either side, as in every zone in use.
 */
export function instantOfWallClock(date: CalendarDate, time: ClockTime, timeZone: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  if (Number.isNaN(wall)) throw new RangeError(`${date} ${time} is not a date and time`);
  const before = offsetAt(wall - HALF_DAY_MS, timeZone);
  const after = offsetAt(wall + HALF_DAY_MS, timeZone);
  const shows = (instant: number) => wallClockMs(instant, timeZone) === wall;
  const candidates = [wall - before, wall - after].filter(shows);
  return candidates.length > 0 ? Math.min(...candidates) : wall - before;
}

/** The business date of an instant (ISO 8601 text or ms). */
export function businessDateOf(instant: string | number, timeZone: string): CalendarDate {
  const ms = typeof instant === 'number' ? instant : new Date(instant).getTime();
  if (Number.isNaN(ms)) throw new RangeError(`${String(instant)} is not an instant`);
  return new Date(wallClockMs(ms, timeZone)).toISOString().slice(0, 10);
}
