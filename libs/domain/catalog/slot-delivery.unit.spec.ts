import { addDays, type CalendarDate } from './calendar';
import { thrownBy } from './catalog-examples';
import { type WeeklyRepeat } from './delivery-time-slot';
import { type ClosedDays, repeatMatches, slotDeliversOn } from './slot-delivery';
import { weeklyCloseDaysMask } from './weekly-close-days';

const open: ClosedDays = { dates: [], weeklyCloseDays: 0 };
const slot = (repeat: WeeklyRepeat, expiryDate: CalendarDate | null = null) => ({ repeat, expiryDate });
const MONDAY = 1;

/** The Mondays from `first` on, `count` of them, on which a Monday slot delivers. */
function deliveringMondays(repeat: WeeklyRepeat, first: CalendarDate, count: number): CalendarDate[] {
  const mondays = Array.from({ length: count }, (_, week) => addDays(first, 7 * week));
  return mondays.filter((date) => slotDeliversOn(slot(repeat), MONDAY, date, open));
}

describe('slotDeliversOn', () => {
  it("delivers only on the production run's weekday", () => {
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-03-02', open)).toBe(true);
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-03-03', open)).toBe(false);
    expect(slotDeliversOn(slot('every'), 7, '2026-03-08', open)).toBe(true);
  });

  it('delivers in odd or even ISO weeks as its repeat says', () => {
    // 2026-03-02 is in week 10, 2026-03-09 in week 11.
    expect(slotDeliversOn(slot('even'), MONDAY, '2026-03-02', open)).toBe(true);
    expect(slotDeliversOn(slot('even'), MONDAY, '2026-03-09', open)).toBe(false);
    expect(slotDeliversOn(slot('odd'), MONDAY, '2026-03-02', open)).toBe(false);
    expect(slotDeliversOn(slot('odd'), MONDAY, '2026-03-09', open)).toBe(true);
  });

  it('in the 53-week year 2026, an odd-week slot delivers in weeks 53 and 1, two weeks in a row', () => {
    expect(deliveringMondays('odd', '2026-12-14', 5)).toEqual(['2026-12-14', '2026-12-28', '2027-01-04']);
  });

  it('in the 53-week year 2026, an even-week slot skips weeks 53 and 1', () => {
    expect(deliveringMondays('even', '2026-12-14', 5)).toEqual(['2026-12-21', '2027-01-11']);
  });

  it('after a 52-week year, odd and even weeks alternate across the new year', () => {
    // 2025-12-15 is in W51, 2025-12-22 in W52, 2025-12-29 already in 2026-W01.
    expect(deliveringMondays('odd', '2025-12-15', 4)).toEqual(['2025-12-15', '2025-12-29']);
    expect(deliveringMondays('even', '2025-12-15', 4)).toEqual(['2025-12-22', '2026-01-05']);
  });

  it('uses the ISO week of the date, not its calendar year: Friday 2027-01-01 is in 2026-W53', () => {
    expect(repeatMatches('odd', '2027-01-01')).toBe(true);
    expect(repeatMatches('even', '2027-01-01')).toBe(false);
    expect(repeatMatches('every', '2027-01-01')).toBe(true);
  });

  it('delivers only before its expiry date', () => {
    expect(slotDeliversOn(slot('every', '2026-03-09'), MONDAY, '2026-03-02', open)).toBe(true);
    expect(slotDeliversOn(slot('every', '2026-03-09'), MONDAY, '2026-03-09', open)).toBe(false);
    expect(slotDeliversOn(slot('every', '2026-03-09'), MONDAY, '2026-03-16', open)).toBe(false);
  });

  it('does not deliver on a closed date', () => {
    const closed: ClosedDays = { dates: new Set(['2026-04-06']), weeklyCloseDays: 0 };
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-04-06', closed)).toBe(false);
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-04-13', closed)).toBe(true);
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-04-06', { dates: ['2026-04-06'], weeklyCloseDays: 0 })).toBe(
      false,
    );
  });

  it('does not deliver on a weekly close day (bit 0 = Monday)', () => {
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-03-02', { dates: [], weeklyCloseDays: 0b1 })).toBe(false);
    const weekend = weeklyCloseDaysMask([6, 7]);
    expect(slotDeliversOn(slot('every'), MONDAY, '2026-03-02', { dates: [], weeklyCloseDays: weekend })).toBe(true);
    expect(slotDeliversOn(slot('every'), 6, '2026-03-07', { dates: [], weeklyCloseDays: weekend })).toBe(false);
  });

  it('an archived slot delivers nothing', () => {
    expect(slotDeliversOn({ ...slot('every'), status: 'archived' }, MONDAY, '2026-03-02', open)).toBe(false);
    expect(slotDeliversOn({ ...slot('every'), status: 'active' }, MONDAY, '2026-03-02', open)).toBe(true);
  });

  it('rejects an invalid date or weekday instead of answering false', () => {
    expect(thrownBy(() => slotDeliversOn(slot('every'), MONDAY, '2026-02-30', open)).code).toBe('INVALID_DATE');
    expect(thrownBy(() => slotDeliversOn(slot('every'), 0 as 1, '2026-03-02', open)).code).toBe('INVALID_WEEKDAY');
  });
});
