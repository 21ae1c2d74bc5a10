import type { ClockTime } from '../catalog';
import { instantOfWallClock, type BusinessDay } from './business-time';

/**
 * Radioactive decay: A(t) = A0 · exp(−ln2 · Δt / T½). Everything is computed in floating point
 * from stored ordered activity; rounding happens only in outputs, each with its own rule.
 */

/** How much more activity is needed at an earlier time to still have `1` at the later one. */
export function decayFactor(secondsEarlier: number, halfLifeSeconds: number): number {
  if (!(halfLifeSeconds > 0)) throw new RangeError('halfLifeSeconds must be positive');
  return Math.exp((Math.LN2 * secondsEarlier) / halfLifeSeconds);
}

/** Activity at `secondsLater` after a measurement of `activity` (e.g. a vial at delivery). */
export function decayedActivity(activity: number, secondsLater: number, halfLifeSeconds: number): number {
  return activity / decayFactor(secondsLater, halfLifeSeconds);
}

/** Overhead percent as the multiplier m = 1 + percent / 100. */
export const overheadMultiplier = (overheadPercent: number) => 1 + overheadPercent / 100;

/**
 * Real seconds from `earlier` to `later`, two wall-clock times `HH:MM` of one business day
 * (positive when `later` is later). Decay runs on elapsed time: on a daylight-saving change day
 * 01:30 → 03:30 is one hour in spring and three in autumn, not the two the clock shows.
 */
export function secondsBetween(earlier: ClockTime, later: ClockTime, day: BusinessDay): number {
  const instant = (time: ClockTime) => instantOfWallClock(day.date, time, day.timeZone);
  return (instant(later) - instant(earlier)) / 1000;
}
