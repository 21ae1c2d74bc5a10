import { specFor } from '../kernel/decider-spec';
import { at } from './catalog-examples';
import {
  isWeeklyCloseDay,
  weeklyCloseDaysDecider,
  weeklyCloseDaysMask,
  weeklyCloseDaysStreamName,
  type SetWeeklyCloseDays,
} from './weekly-close-days';

const spec = specFor(weeklyCloseDaysDecider);
const weekend = weeklyCloseDaysMask([6, 7]);
const closeWeekends: SetWeeklyCloseDays = {
  type: 'SetWeeklyCloseDays',
  mask: weekend,
  reason: 'No weekend transport',
  at,
};

describe('WeeklyCloseDays', () => {
  it('lives in one stream for the shop', () => {
    expect(weeklyCloseDaysStreamName()).toBe('catalog.weeklyCloseDays-shop');
  });

  it('encodes weekdays as a bitmask with bit 0 = Monday', () => {
    expect(weeklyCloseDaysMask([1])).toBe(0b000_0001);
    expect(weekend).toBe(0b110_0000);
    expect(isWeeklyCloseDay(weekend, 7)).toBe(true);
    expect(isWeeklyCloseDay(weekend, 1)).toBe(false);
  });

  it('records the old and new close days', () => {
    spec
      .given([])
      .when(closeWeekends)
      .then([{ type: 'WeeklyCloseDaysChanged', data: { from: 0, to: weekend, reason: 'No weekend transport' } }]);
  });

  it('changes nothing when the close days are the same', () => {
    spec
      .given([{ type: 'WeeklyCloseDaysChanged', data: { from: 0, to: weekend, reason: 'No weekend transport' } }])
      .when(closeWeekends)
      .thenNothing();
  });

  it.each([-1, 128, 1.5])('rejects the mask %p', (mask) => {
    spec
      .given([])
      .when({ ...closeWeekends, mask })
      .thenThrows('INVALID_WEEKDAY_MASK', { field: 'mask' });
  });

  it('requires a reason', () => {
    spec
      .given([])
      .when({ ...closeWeekends, reason: '' })
      .thenThrows('FIELD_REQUIRED', { field: 'reason' });
  });
});
