import { DomainError } from '../kernel';
import { deadlineOf, deadlinePassed, isAfter, parseOrderingDeadline, type OrderingDeadline } from './deadline';

const daily: OrderingDeadline = { kind: 'daily', time: '13:00' };
const thursday: OrderingDeadline = { kind: 'weekly', weekday: 4, time: '13:00' };

describe('Ordering deadlines', () => {
  describe('deadlineOf', () => {
    it('daily: the day before the delivery, at the deadline time', () => {
      expect(deadlineOf('2026-03-02', daily)).toEqual({ date: '2026-03-01', time: '13:00' });
    });

    it('daily: crosses month and year ends', () => {
      expect(deadlineOf('2026-01-01', daily)).toEqual({ date: '2025-12-31', time: '13:00' });
      expect(deadlineOf('2028-03-01', daily)).toEqual({ date: '2028-02-29', time: '13:00' });
    });

    it('weekly: steps back from the day before to the deadline weekday', () => {
      // Monday 2026-03-02 → Thursday 2026-02-26.
      expect(deadlineOf('2026-03-02', thursday)).toEqual({ date: '2026-02-26', time: '13:00' });
      // Friday 2026-03-06 → the day before is already Thursday.
      expect(deadlineOf('2026-03-06', thursday)).toEqual({ date: '2026-03-05', time: '13:00' });
    });

    it('weekly: a delivery on the deadline weekday closes a week before', () => {
      // Thursday 2026-03-05 → Thursday 2026-02-26.
      expect(deadlineOf('2026-03-05', thursday)).toEqual({ date: '2026-02-26', time: '13:00' });
    });
  });

  describe('deadlinePassed', () => {
    it('the deadline minute itself is still in time; the minute after is too late', () => {
      expect(deadlinePassed('2026-03-02', daily, { date: '2026-03-01', time: '13:00' })).toBe(false);
      expect(deadlinePassed('2026-03-02', daily, { date: '2026-03-01', time: '13:01' })).toBe(true);
    });

    it('compares the date before the time', () => {
      expect(deadlinePassed('2026-03-02', daily, { date: '2026-02-28', time: '23:59' })).toBe(false);
      expect(deadlinePassed('2026-03-02', daily, { date: '2026-03-02', time: '00:00' })).toBe(true);
    });

    it('weekly: Friday before a Monday delivery is already too late', () => {
      expect(deadlinePassed('2026-03-02', thursday, { date: '2026-02-27', time: '09:00' })).toBe(true);
      expect(deadlinePassed('2026-03-02', thursday, { date: '2026-02-26', time: '12:59' })).toBe(false);
    });

    it('isAfter orders local moments', () => {
      expect(isAfter({ date: '2026-03-01', time: '13:01' }, { date: '2026-03-01', time: '13:00' })).toBe(true);
      expect(isAfter({ date: '2026-03-01', time: '13:00' }, { date: '2026-03-01', time: '13:00' })).toBe(false);
    });
  });

  describe('parseOrderingDeadline', () => {
    it('reads daily@HH:MM', () => {
      expect(parseOrderingDeadline('daily@13:00')).toEqual(daily);
    });

    it('reads weekly:<ISO weekday>@HH:MM (4 = Thursday)', () => {
      expect(parseOrderingDeadline('weekly:4@13:00')).toEqual(thursday);
      expect(parseOrderingDeadline('weekly:7@08:30')).toEqual({ kind: 'weekly', weekday: 7, time: '08:30' });
    });

    it.each(['daily@24:00', 'daily@1:00', 'daily 13:00', 'weekly:0@13:00', 'weekly:8@13:00', 'weekly@13:00', ''])(
      'refuses %p, naming the text',
      (text) => {
        let thrown: unknown;
        try {
          parseOrderingDeadline(text);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(DomainError);
        expect(thrown).toMatchObject({ code: 'INVALID_DEADLINE', details: { value: text } });
      },
    );
  });
});
