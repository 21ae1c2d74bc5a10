import {
  addDays,
  isCalendarDate,
  isClockTime,
  isIsoInstant,
  isoWeekdayOf,
  isoWeekOf,
  isoWeeksInYear,
} from './calendar';

describe('calendar', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['1900-02-29', false],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-00-01', false],
    ['2026-1-01', false],
    ['2026-01-01T00:00', false],
  ])('isCalendarDate(%p) is %p', (value, valid) => {
    expect(isCalendarDate(value)).toBe(valid);
  });

  it.each([
    ['00:00', true],
    ['23:59', true],
    ['24:00', false],
    ['7:30', false],
    ['07:60', false],
    ['07:30:00', false],
  ])('isClockTime(%p) is %p', (value, valid) => {
    expect(isClockTime(value)).toBe(valid);
  });

  it.each([
    ['2026-03-02T07:00:00Z', true],
    ['2026-03-02T07:00:00.123+01:00', true],
    ['2026-03-02T07:00Z', true],
    ['2026-03-02T07:00:00', false],
    ['2026-02-30T07:00:00Z', false],
    ['2026-03-02', false],
  ])('isIsoInstant(%p) is %p', (value, valid) => {
    expect(isIsoInstant(value)).toBe(valid);
  });

  it('numbers weekdays the ISO way, 1 = Monday … 7 = Sunday', () => {
    expect(isoWeekdayOf('2026-03-02')).toBe(1);
    expect(isoWeekdayOf('2026-03-05')).toBe(4);
    expect(isoWeekdayOf('2026-03-08')).toBe(7);
    expect(isoWeekdayOf('1970-01-01')).toBe(4);
    expect(isoWeekdayOf('1969-12-29')).toBe(1);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-28', 7)).toBe('2027-01-04');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it.each([
    ['2026-01-01', 2026, 1], // a Thursday: week 1 of its own year
    ['2026-12-28', 2026, 53],
    ['2026-12-31', 2026, 53],
    ['2027-01-01', 2026, 53], // a Friday: still in the last week of 2026
    ['2027-01-03', 2026, 53],
    ['2027-01-04', 2027, 1],
    ['2024-12-30', 2025, 1], // a Monday: already in week 1 of 2025
    ['2021-01-03', 2020, 53],
    ['2025-12-29', 2026, 1],
    ['2026-03-02', 2026, 10],
  ])('%s is in ISO week %i-W%i', (date, weekYear, week) => {
    expect(isoWeekOf(date)).toEqual({ weekYear, week });
  });

  it.each([
    [2026, 53], // starts on a Thursday
    [2020, 53], // leap year starting on a Wednesday
    [2015, 53],
    [2032, 53],
    [2025, 52],
    [2027, 52],
    [2024, 52], // leap year starting on a Monday
  ])('%i has %i ISO weeks', (year, weeks) => {
    expect(isoWeeksInYear(year)).toBe(weeks);
  });
});
