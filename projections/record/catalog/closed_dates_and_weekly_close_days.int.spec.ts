import {
  addDays,
  closedDateDecider,
  closedDateStreamName,
  isoWeekdayOf,
  orderingDeadlinesDecider,
  orderingDeadlinesStreamName,
  slotDeliversOn,
  weeklyCloseDaysDecider,
  weeklyCloseDaysMask,
  weeklyCloseDaysStreamName,
  type CalendarDate,
  type OrderingDeadline,
} from '@tracershop/domain/catalog';
import { mondaySlotScheduled } from '@tracershop/domain/catalog/catalog-examples';
import { InvalidReadQueryError } from './keyset-paging';
import { openCatalogTestBed, type CatalogTestBed } from './test-support/catalog-test-bed';

const at = '2026-11-20T07:30:00.000Z';

describe('closed dates and weekly close days', () => {
  let bed: CatalogTestBed;

  beforeAll(async () => {
    bed = await openCatalogTestBed('closed_days');
  });

  afterAll(async () => {
    await bed.close();
  });

  // A fresh legacy id per command, as the handler allocates; a re-close keeps the one the date holds.
  let nextLegacyId = 100;
  const close = (date: CalendarDate, reason: string) =>
    bed.decide(closedDateDecider, closedDateStreamName(date), {
      type: 'CloseDate',
      date,
      reason,
      legacyId: (nextLegacyId += 2),
      at,
    });
  const reopen = (date: CalendarDate, reason: string) =>
    bed.decide(closedDateDecider, closedDateStreamName(date), { type: 'ReopenDate', date, reason, at });
  const setWeeklyCloseDays = (mask: number, reason: string) =>
    bed.decide(weeklyCloseDaysDecider, weeklyCloseDaysStreamName(), { type: 'SetWeeklyCloseDays', mask, reason, at });

  it('lists the dates closed now, bounds included; a reopened date keeps its row', async () => {
    await close('2026-12-24', 'Christmas Eve');
    await close('2026-12-25', 'Christmas Day');
    await close('2026-12-31', 'New Year’s Eve');
    await close('2027-01-01', 'New Year’s Day');
    await reopen('2026-12-31', 'Cyclotron runs after all');

    expect(await bed.readModel.closedDates('2026-12-24', '2027-01-01')).toEqual([
      '2026-12-24',
      '2026-12-25',
      '2027-01-01',
    ]);
    expect(await bed.readModel.closedDates('2026-12-25', '2026-12-30')).toEqual(['2026-12-25']);
    expect(await bed.readModel.closedDates('2027-01-02', '2027-12-31')).toEqual([]);

    expect(await bed.readModel.getClosedDate('2026-12-31')).toMatchObject({
      date: '2026-12-31',
      status: 'reopened',
      reason: 'Cyclotron runs after all',
      revision: '1',
    });
    const all = await bed.readModel.listClosedDates({ limit: 10, status: 'all' });
    expect(all.items.map(({ date, status }) => `${date} ${status}`)).toEqual([
      '2026-12-24 closed',
      '2026-12-25 closed',
      '2026-12-31 reopened',
      '2027-01-01 closed',
    ]);
    const december = await bed.readModel.listClosedDates({ limit: 10, from: '2026-12-25', to: '2026-12-31' });
    expect(december.items.map(({ date }) => date)).toEqual(['2026-12-25']);
  });

  it('closing a reopened date closes the same row again', async () => {
    const reopened = await bed.readModel.getClosedDate('2026-12-31');
    await close('2026-12-31', 'Cyclotron maintenance');
    expect(await bed.readModel.getClosedDate('2026-12-31')).toMatchObject({
      status: 'closed',
      reason: 'Cyclotron maintenance',
      revision: '2',
      createdPosition: reopened!.createdPosition,
    });
    expect(await bed.readModel.closedDates('2026-12-31', '2026-12-31')).toEqual(['2026-12-31']);
  });

  it('weekly close days: none until set, then the latest mask as weekdays', async () => {
    expect(await bed.readModel.weeklyCloseDays()).toEqual({
      mask: 0,
      weekdays: [],
      reason: null,
      revision: null,
      updatedPosition: null,
      updatedAt: null,
    });

    await setWeeklyCloseDays(weeklyCloseDaysMask([6, 7]), 'No weekend production');
    const position = bed.lastPosition();
    expect(await bed.readModel.weeklyCloseDays()).toEqual({
      mask: 0b110_0000,
      weekdays: [6, 7],
      reason: 'No weekend production',
      revision: '0',
      updatedPosition: position.toString(),
      updatedAt: at,
    });

    await setWeeklyCloseDays(weeklyCloseDaysMask([7]), 'Saturday runs for the new trial');
    expect(await bed.readModel.weeklyCloseDays()).toMatchObject({ mask: 0b100_0000, weekdays: [7], revision: '1' });
    expect(bed.stateOf(weeklyCloseDaysDecider, weeklyCloseDaysStreamName())).toEqual({ mask: 0b100_0000 });
  });

  it('ordering deadlines: none until set, then per kind the latest, as production set it', async () => {
    expect(await bed.readModel.orderingDeadlines()).toEqual({ activity: null, injection: null });
    const setDeadline = (kind: 'activity' | 'injection', deadline: OrderingDeadline, reason: string) =>
      bed.decide(orderingDeadlinesDecider, orderingDeadlinesStreamName(), {
        type: 'SetOrderingDeadline',
        kind,
        deadline,
        reason,
        at,
      });

    await setDeadline('injection', { kind: 'weekly', weekday: 3, time: '12:00' }, 'FET synthesis moved to Thursday');
    await setDeadline('activity', { kind: 'daily', time: '11:30' }, 'Courier leaves earlier');
    await setDeadline('activity', { kind: 'daily', time: '12:00' }, 'Courier back at noon');
    expect(await bed.readModel.orderingDeadlines()).toEqual({
      activity: {
        deadline: { kind: 'daily', time: '12:00' },
        reason: 'Courier back at noon',
        revision: '2',
        updatedPosition: bed.lastPosition().toString(),
        updatedAt: at,
      },
      injection: expect.objectContaining({
        deadline: { kind: 'weekly', weekday: 3, time: '12:00' },
        reason: 'FET synthesis moved to Thursday',
        revision: '0',
      }),
    });
  });

  it('closedDays answers in the shape slotDeliversOn takes', async () => {
    const mondays = ['2026-12-21', '2026-12-28', '2027-01-04'];
    expect(mondays.map(isoWeekdayOf)).toEqual([1, 1, 1]);
    await close('2026-12-28', 'Between the holidays');

    const closedDays = await bed.readModel.closedDays('2026-12-21', addDays('2027-01-04', 6));
    expect(closedDays).toEqual({
      dates: ['2026-12-24', '2026-12-25', '2026-12-28', '2026-12-31', '2027-01-01'],
      weeklyCloseDays: 0b100_0000,
    });
    const delivers = mondays.map((date) => slotDeliversOn(mondaySlotScheduled.data, 1, date, closedDays));
    expect(delivers).toEqual([true, false, true]);
  });

  it('refuses dates that are not YYYY-MM-DD', async () => {
    await expect(bed.readModel.closedDates('2026-02-30', '2026-03-01')).rejects.toBeInstanceOf(InvalidReadQueryError);
    await expect(bed.readModel.listClosedDates({ limit: 5, to: '31.12.2026' })).rejects.toMatchObject({
      details: { field: 'to', value: '31.12.2026' },
    });
  });
});
