import { decayedActivity, decayFactor, overheadMultiplier, secondsBetween } from './decay';

const copenhagen = (date: string) => ({ date, timeZone: 'Europe/Copenhagen' });
const monday = copenhagen('2026-03-02');

const F18_HALF_LIFE_SECONDS = 6586.2;

describe('Radioactive decay', () => {
  it('needs no more activity at the same time, and twice as much one half-life earlier', () => {
    expect(decayFactor(0, F18_HALF_LIFE_SECONDS)).toBe(1);
    expect(decayFactor(F18_HALF_LIFE_SECONDS, F18_HALF_LIFE_SECONDS)).toBeCloseTo(2, 12);
    expect(decayFactor(-F18_HALF_LIFE_SECONDS, F18_HALF_LIFE_SECONDS)).toBeCloseTo(0.5, 12);
  });

  it('F-18: 1000 MBq for 10:30 needs ≈ 1765 MBq at 09:00, ≈ 1942 MBq with 10 % overhead', () => {
    const needed = 1000 * decayFactor(secondsBetween('09:00', '10:30', monday), F18_HALF_LIFE_SECONDS);
    expect(needed).toBeCloseTo(1000 * 2 ** (90 / (F18_HALF_LIFE_SECONDS / 60)), 9);
    expect(Math.round(needed)).toBe(1765);
    expect(Math.round(needed * overheadMultiplier(10))).toBe(1942);
  });

  it('agrees with the legacy form MBq / 0.5^(minutes / (T½ / 60))', () => {
    const minutes = 45;
    expect(100 * decayFactor(minutes * 60, F18_HALF_LIFE_SECONDS)).toBeCloseTo(
      100 / 0.5 ** (minutes / (F18_HALF_LIFE_SECONDS / 60)),
      9,
    );
  });

  it('a vial measured at fill holds less at delivery', () => {
    expect(decayedActivity(2000, F18_HALF_LIFE_SECONDS, F18_HALF_LIFE_SECONDS)).toBeCloseTo(1000, 9);
    expect(decayedActivity(2000, 0, F18_HALF_LIFE_SECONDS)).toBe(2000);
  });

  it('refuses a half-life that is not positive', () => {
    expect(() => decayFactor(60, 0)).toThrow(RangeError);
    expect(() => decayFactor(60, -1)).toThrow(RangeError);
    expect(() => decayFactor(60, Number.NaN)).toThrow(RangeError);
  });

  it('overhead percent is the multiplier 1 + percent / 100', () => {
    expect(overheadMultiplier(0)).toBe(1);
    expect(overheadMultiplier(10)).toBeCloseTo(1.1, 12);
    expect(overheadMultiplier(15)).toBeCloseTo(1.15, 12);
  });

  it('counts the seconds between two wall-clock times of a day', () => {
    expect(secondsBetween('09:00', '10:30', monday)).toBe(5400);
    expect(secondsBetween('10:30', '09:00', monday)).toBe(-5400);
    expect(secondsBetween('00:00', '23:59', monday)).toBe(86_340);
  });

  describe('across a daylight-saving change (regression: decay counted clock minutes)', () => {
    it('given the spring change (2026-03-29, 02:00 → 03:00), when 01:30 → 03:30 is measured, then it is one real hour', () => {
      expect(secondsBetween('01:30', '03:30', copenhagen('2026-03-29'))).toBe(3600);
      // F-18 over one hour, not two: ≈ 1.46, where clock minutes gave ≈ 2.13
      expect(
        decayFactor(secondsBetween('01:30', '03:30', copenhagen('2026-03-29')), F18_HALF_LIFE_SECONDS),
      ).toBeCloseTo(2 ** (60 / (F18_HALF_LIFE_SECONDS / 60)), 12);
    });

    it('given the autumn change (2026-10-25, 03:00 → 02:00), when 01:30 → 03:30 is measured, then it is three real hours', () => {
      expect(secondsBetween('01:30', '03:30', copenhagen('2026-10-25'))).toBe(10_800);
    });

    it('given a time the spring change skips (02:30), then it counts as the hour after the gap (03:30)', () => {
      expect(secondsBetween('02:30', '03:30', copenhagen('2026-03-29'))).toBe(0);
    });

    it('given the repeated autumn hour, then a time in it is its first occurrence', () => {
      expect(secondsBetween('01:30', '02:30', copenhagen('2026-10-25'))).toBe(3600);
      expect(secondsBetween('02:30', '03:00', copenhagen('2026-10-25'))).toBe(5400);
    });

    it('given another zone, then its own change day counts (New York, 2026-03-08)', () => {
      expect(secondsBetween('01:30', '03:30', { date: '2026-03-08', timeZone: 'America/New_York' })).toBe(3600);
      expect(secondsBetween('01:30', '03:30', copenhagen('2026-03-08'))).toBe(7200);
    });
  });
});
