import { specFor } from '../kernel/decider-spec';
import { businessCalendarDecider, type BeginBusinessDate, type BusinessDateBegan } from './business-calendar';

const spec = specFor(businessCalendarDecider);
const begin = (date: string): BeginBusinessDate => ({
  type: 'BeginBusinessDate',
  date,
  at: '2026-03-31T23:00:30.000Z',
});
const began = (date: string): BusinessDateBegan => ({ type: 'BusinessDateBegan', data: { date } });

describe('BusinessCalendar', () => {
  it('given no date yet, when a date begins, then it is recorded', () => {
    spec
      .given([])
      .when(begin('2026-04-01'))
      .then([began('2026-04-01')]);
  });

  it('given a date begun, when the same or an earlier date is begun again, then nothing changes', () => {
    spec
      .given([began('2026-04-01')])
      .when(begin('2026-04-01'))
      .thenNothing();
    spec
      .given([began('2026-04-01')])
      .when(begin('2026-03-31'))
      .thenNothing();
  });

  it('given a date begun, when a later one begins (days missed while no worker ran), then it is recorded', () => {
    spec
      .given([began('2026-04-01')])
      .when(begin('2026-04-04'))
      .then([began('2026-04-04')]);
  });

  it('refuses what is not a date', () => {
    spec.given([]).when(begin('2026-02-30')).thenThrows('INVALID_DATE', { field: 'date' });
  });
});
