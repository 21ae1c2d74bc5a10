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

/** Seconds between two wall-clock times `HH:MM` of the same day (positive when `later` is later). */
export function secondsBetween(earlier: string, later: string): number {
  const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  return (minutes(later) - minutes(earlier)) * 60;
}
