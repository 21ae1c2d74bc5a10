import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { at } from './catalog-examples';
import {
  closedDateDecider,
  closedDateNameClaims,
  closedDateStreamName,
  type CloseDate,
  type DateClosed,
  type ReopenDate,
} from './closed-date';

const spec = specFor(closedDateDecider);
const closeChristmas: CloseDate = { type: 'CloseDate', date: '2026-12-25', reason: 'Christmas Day', legacyId: 30, at };
const christmasClosed: DateClosed = {
  type: 'DateClosed',
  data: { date: '2026-12-25', reason: 'Christmas Day', legacyId: 30 },
};
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
      .then([{ type: 'DateClosed', data: { date: '2028-02-29', reason: 'Christmas Day', legacyId: 30 } }]);
  });

  it('keeps its legacy id (blockDeliverDate.BDID) through a reopening, and a re-close takes the one it names', () => {
    const reopened = { type: 'DateReopened', data: { date: '2026-12-25', reason: 'Extra production agreed' } } as const;
    expect(fold(closedDateDecider, [christmasClosed, reopened])).toEqual({
      date: '2026-12-25',
      closed: false,
      legacyId: 30,
    });
    // The handler names the held id, or the old system's own row when it closed the date again
    spec.given([christmasClosed, reopened]).when(closeChristmas).then([christmasClosed]);
    spec
      .given([christmasClosed, reopened])
      .when({ ...closeChristmas, legacyId: 45 })
      .then([{ ...christmasClosed, data: { ...christmasClosed.data, legacyId: 45 } }]);
    spec
      .given([])
      .when({ ...closeChristmas, legacyId: 1.5 })
      .thenThrows('INVALID_LEGACY_ID', { field: 'legacyId' });
  });

  it('claims its legacy id once first closed, also while reopened', () => {
    expect(closedDateNameClaims(closedDateDecider.initialState())).toEqual([]);
    expect(closedDateNameClaims(fold(closedDateDecider, [christmasClosed]))).toEqual([
      { kind: 'legacyId', key: 'blockdeliverdate:30' },
    ]);
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
