import { wallClockFormatter } from '@tracershop/domain/ordering';

/**
 * The legacy tables hold naive local times (legacy-tables.md, "Time"). Events carry instants in
 * UTC; delivery dates and slot times are already local business time.
 */

export const DEFAULT_LEGACY_TIME_ZONE = 'Europe/Copenhagen';

/** "Not released" as the old insert procedure writes it. */
export const NOT_RELEASED = '0000-01-01 00:00:00';

/** Throws unless `timeZone` is an IANA zone the runtime knows. */
export function requireTimeZone(timeZone: string): string {
  try {
    wallClockFormatter(timeZone);
  } catch {
    throw new Error(`${JSON.stringify(timeZone)} is not an IANA time zone (e.g. ${DEFAULT_LEGACY_TIME_ZONE})`);
  }
  return timeZone;
}

/** Local date and time fields of an instant in `timeZone`, to the second, as the zone's rules give them. */
function localParts(
  instant: Date,
  timeZone: string,
): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', string> {
  const parts = wallClockFormatter(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => {
    const value = parts.find((candidate) => candidate.type === type)?.value;
    if (value === undefined) throw new Error(`No ${type} in the local time of ${instant.toISOString()}`);
    return value;
  };
  return {
    year: part('year'),
    month: part('month'),
    day: part('day'),
    hour: part('hour'),
    minute: part('minute'),
    second: part('second'),
  };
}

const SECOND_MS = 1_000;
const QUARTER_HOUR_MS = 15 * 60 * SECOND_MS;
/** Instants whose local year is surely 1000…9999 (a day's margin for the offset): four-digit years. */
const FOUR_DIGIT_YEARS = { from: Date.UTC(1000, 0, 2), to: Date.UTC(9999, 11, 31) };
/** Quarter hours whose offsets are kept per zone before the cache starts over. */
const MAX_CACHED_QUARTERS = 50_000;
/** Per zone and quarter hour of UTC: the zone's offset throughout it (ms), or null when it changes within. */
const quarterOffsets = new Map<string, Map<number, number | null>>();

/** Local wall clock minus UTC at the instant's second, in ms; NaN before year 1000. */
function offsetAt(ms: number, timeZone: string): number {
  const local = localParts(new Date(ms), timeZone);
  if (local.year.length !== 4 || local.year < '1000') return Number.NaN;
  const wall = Date.UTC(
    Number(local.year),
    Number(local.month) - 1,
    Number(local.day),
    Number(local.hour),
    Number(local.minute),
    Number(local.second),
  );
  return wall - Math.floor(ms / SECOND_MS) * SECOND_MS;
}

/**
 * The zone's offset throughout the quarter hour of UTC that holds `ms`, or null when it is not one
 * offset. Offsets change on whole seconds and never twice within minutes, so equal offsets at the
 * quarter's first and last second hold for all of it.
 */
function quarterOffset(ms: number, timeZone: string): number | null {
  let offsets = quarterOffsets.get(timeZone);
  if (!offsets || offsets.size >= MAX_CACHED_QUARTERS) {
    offsets = new Map();
    quarterOffsets.set(timeZone, offsets);
  }
  const quarter = Math.floor(ms / QUARTER_HOUR_MS);
  let offset = offsets.get(quarter);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR_MS;
    const first = offsetAt(start, timeZone);
    offset = first === offsetAt(start + QUARTER_HOUR_MS - SECOND_MS, timeZone) ? first : null;
    offsets.set(quarter, offset);
  }
  return offset;
}

/**
 * `YYYY-MM-DD HH:MM:SS`, the wall-clock time of an instant in `timeZone`, to the second. In the
 * repeated October hour two instants give the same text; the event keeps the UTC value. Formatting
 * each instant with the zone's rules is slow, so the zone's offset is looked up once per quarter
 * hour and added; quarters with a change of offset, and years before 1000 or after 9999, are
 * formatted.
 */
export function localDateTime(instant: string, timeZone: string): string {
  const parsed = new Date(instant);
  const ms = parsed.getTime();
  if (Number.isNaN(ms)) throw new Error(`${JSON.stringify(instant)} is not an instant`);
  const offset = ms >= FOUR_DIGIT_YEARS.from && ms < FOUR_DIGIT_YEARS.to ? quarterOffset(ms, timeZone) : null;
  if (offset !== null) {
    const text = new Date(Math.floor(ms / SECOND_MS) * SECOND_MS + offset).toISOString();
    if (text.length === 24 && text >= '1000') return `${text.slice(0, 10)} ${text.slice(11, 19)}`;
  }
  const local = localParts(parsed, timeZone);
  return `${local.year}-${local.month}-${local.day} ${local.hour}:${local.minute}:${local.second}`;
}

/** A delivery date and a local `HH:MM` (or `HH:MM:SS`) slot time as a DATETIME literal. */
export function deliveryDateTime(date: string, time: string): string {
  return `${date} ${clockTime(time)}`;
}

/** `HH:MM` → `HH:MM:00`; `HH:MM:SS` stays. */
export function clockTime(time: string): string {
  return time.length === 5 ? `${time}:00` : time;
}
