/**
 * The legacy tables hold naive local times (legacy-tables.md, "Time"). Events carry instants in
 * UTC; delivery dates and slot times are already local business time.
 */

export const DEFAULT_LEGACY_TIME_ZONE = 'Europe/Copenhagen';

/** "Not released" as the old insert procedure writes it. */
export const NOT_RELEASED = '0000-01-01 00:00:00';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
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

/** Throws unless `timeZone` is an IANA zone the runtime knows. */
export function requireTimeZone(timeZone: string): string {
  try {
    formatterFor(timeZone);
  } catch {
    throw new Error(`${JSON.stringify(timeZone)} is not an IANA time zone (e.g. ${DEFAULT_LEGACY_TIME_ZONE})`);
  }
  return timeZone;
}

/**
 * `YYYY-MM-DD HH:MM:SS`, the wall-clock time of an instant in `timeZone`, to the second. In the
 * repeated October hour two instants give the same text; the event keeps the UTC value.
 */
export function localDateTime(instant: string, timeZone: string): string {
  const parsed = new Date(instant);
  if (Number.isNaN(parsed.getTime())) throw new Error(`${JSON.stringify(instant)} is not an instant`);
  const parts = formatterFor(timeZone).formatToParts(parsed);
  const part = (type: Intl.DateTimeFormatPartTypes) => {
    const value = parts.find((candidate) => candidate.type === type)?.value;
    if (value === undefined) throw new Error(`No ${type} in the local time of ${instant}`);
    return value;
  };
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** A delivery date and a local `HH:MM` (or `HH:MM:SS`) slot time as a DATETIME literal. */
export function deliveryDateTime(date: string, time: string): string {
  return `${date} ${clockTime(time)}`;
}

/** `HH:MM` → `HH:MM:00`; `HH:MM:SS` stays. */
export function clockTime(time: string): string {
  return time.length === 5 ? `${time}:00` : time;
}
