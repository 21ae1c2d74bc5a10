import { type IsoInstant } from '../catalog/calendar';

/**
 * Instant arithmetic for lockouts and session expiry. Pure: every instant comes from a command or
 * an event, never from a clock. Results are UTC (`…Z`), so they compare the same way everywhere.
 */

const MS_PER_SECOND = 1000;

export function addSeconds(at: IsoInstant, seconds: number): IsoInstant {
  return new Date(Date.parse(at) + seconds * MS_PER_SECOND).toISOString();
}

/** True when `a` is strictly before `b`; instants with different offsets compare by the moment they name. */
export function isBefore(a: IsoInstant, b: IsoInstant): boolean {
  return Date.parse(a) < Date.parse(b);
}

/** True when `earlier` lies less than `seconds` before `at` (or after it). */
export function isWithinSecondsBefore(earlier: IsoInstant, at: IsoInstant, seconds: number): boolean {
  return Date.parse(at) - Date.parse(earlier) < seconds * MS_PER_SECOND;
}
