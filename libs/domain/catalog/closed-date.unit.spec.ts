import { specFor } from '../kernel/decider-spec';
import { at } from './catalog-examples';
import {
  closedDateDecider,
  closedDateStreamName,
  type CloseDate,
  type DateClosed,
  type ReopenDate,
} from './closed-date';

const spec = specFor(closedDateDecider);
const closeChristmas: CloseDate = { type: 'CloseDate', date: '2026-12-25', reason: 'Christmas Day', at };
const christmasClosed: DateClosed = { type: 'DateClosed', data: { date: '2026-12-25', reason: 'Christmas Day' } };
const reopenChristmas: ReopenDate = { type: 'ReopenDate', date: '2026-12-25', reason: 'Extra production agreed', at };

describe('ClosedDate', () => {
  it('lives in one stream per date', () => {
    expect(closedDateStreamName('2026-12-25')).toBe('catalog.closedDate-2026-12-25');
  });

  it('closes a date with a reason', () => {
    spec.given([]).when(closeChristmas).then([christmasClosed]);
  });

  it('closing a closed date changes nothing', () => {
    spec.given([christmasClosed]).when(closeChristmas).thenNothing();
  });

  it('reopens a closed date with a reason', () => {
    spec
      .given([christmasClosed])
      .when(reopenChristmas)
      .then([{ type: 'DateReopened', data: { date: '2026-12-25', reason: 'Extra production agreed' } }]);
  });

  it('reopening an open date changes nothing', () => {
    spec.given([]).when(reopenChristmas).thenNothing();
    spec
      .given([
        christmasClosed,
        { type: 'DateReopened', data: { date: '2026-12-25', reason: 'Extra production agreed' } },
      ])
      .when(reopenChristmas)
      .thenNothing();
  });

  it('closes again after a reopening', () => {
    spec
      .given([
        christmasClosed,
        { type: 'DateReopened', data: { date: '2026-12-25', reason: 'Extra production agreed' } },
      ])
      .when(closeChristmas)
      .then([christmasClosed]);
  });

  it.each(['2026-02-29', '2100-02-29', '2026-00-10', '2026-12-32', '2026-1-5', '25-12-2026'])(
    'rejects the date %p',
    (date) => {
      spec
        .given([])
        .when({ ...closeChristmas, date })
        .thenThrows('INVALID_DATE', { field: 'date' });
    },
  );

  it('accepts 29 February in a leap year', () => {
    spec
      .given([])
      .when({ ...closeChristmas, date: '2028-02-29' })
      .then([{ type: 'DateClosed', data: { date: '2028-02-29', reason: 'Christmas Day' } }]);
  });

  it('requires a reason for closing and for reopening', () => {
    spec
      .given([])
      .when({ ...closeChristmas, reason: ' ' })
      .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    spec
      .given([christmasClosed])
      .when({ ...reopenChristmas, reason: '' })
      .thenThrows('FIELD_REQUIRED');
  });
});
