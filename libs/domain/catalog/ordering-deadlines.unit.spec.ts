import { specFor } from '../kernel/decider-spec';
import { at } from './catalog-examples';
import {
  orderingDeadlinesDecider,
  orderingDeadlinesStreamName,
  type OrderingDeadline,
  type SetOrderingDeadline,
} from './ordering-deadlines';

const spec = specFor(orderingDeadlinesDecider);
const noonDaily: OrderingDeadline = { kind: 'daily', time: '12:00' };
const thursday13: OrderingDeadline = { kind: 'weekly', weekday: 4, time: '13:00' };
const set = (
  kind: SetOrderingDeadline['kind'],
  deadline: unknown,
  reason = 'Transport leaves earlier',
): SetOrderingDeadline => ({
  type: 'SetOrderingDeadline',
  kind,
  deadline: deadline as OrderingDeadline,
  reason,
  at,
});
const deadlineChanged = (kind: 'activity' | 'injection', from: OrderingDeadline | null, to: OrderingDeadline) => ({
  type: 'OrderingDeadlineChanged' as const,
  data: { kind, from, to, reason: 'Transport leaves earlier' },
});

describe('OrderingDeadlines', () => {
  it('lives in one stream for the shop', () => {
    expect(orderingDeadlinesStreamName()).toBe('catalog.orderingDeadlines-shop');
  });

  it('given none set, when production sets the activity deadline, then the event says it replaced the configured one', () => {
    spec
      .given([])
      .when(set('activity', noonDaily))
      .then([deadlineChanged('activity', null, noonDaily)]);
  });

  it('given one set, then a change records old and new, the same again changes nothing, and the other kind is its own', () => {
    const history = [deadlineChanged('activity', null, noonDaily)];
    spec
      .given(history)
      .when(set('activity', thursday13))
      .then([deadlineChanged('activity', noonDaily, thursday13)]);
    spec
      .given(history)
      .when(set('activity', { kind: 'daily', time: '12:00' }))
      .thenNothing();
    spec
      .given(history)
      .when(set('injection', noonDaily))
      .then([deadlineChanged('injection', null, noonDaily)]);
  });

  it('refuses a deadline that is not one, or without a reason', () => {
    spec
      .given([])
      .when(set('activity', { kind: 'daily', time: '25:00' }))
      .thenThrows('INVALID_DEADLINE');
    spec
      .given([])
      .when(set('activity', { kind: 'daily', weekday: 4, time: '12:00' }))
      .thenThrows('INVALID_DEADLINE');
    spec
      .given([])
      .when(set('activity', { kind: 'weekly', time: '12:00' }))
      .thenThrows('INVALID_DEADLINE', {
        field: 'deadline.weekday',
      });
    spec
      .given([])
      .when(set('activity', { kind: 'monthly', time: '12:00' }))
      .thenThrows('INVALID_DEADLINE');
    spec
      .given([])
      .when(set('bulk' as 'activity', noonDaily))
      .thenThrows('INVALID_DEADLINE_KIND', { field: 'kind' });
    spec
      .given([])
      .when(set('activity', noonDaily, ''))
      .thenThrows('FIELD_REQUIRED', { field: 'reason' });
  });
});
