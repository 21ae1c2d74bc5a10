import { type DomainError } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { deliveryDayId } from './delivery-day';
import {
  orderingIdClaimDecider,
  orderingIdClaimStreamName,
  type ClaimOrderingId,
  type OrderingIdClaimed,
} from './ordering-id-claim';

const spec = specFor(orderingIdClaimDecider);
const at = '2026-12-07T08:00:00.000Z';
const monday = deliveryDayId('ep-1', '2026-12-07');
const tuesday = deliveryDayId('ep-1', '2026-12-08');
const claimForMonday: ClaimOrderingId = {
  type: 'ClaimOrderingId',
  kind: 'order',
  id: 'o-1',
  deliveryDayId: monday,
  at,
};
const claimedForMonday: OrderingIdClaimed = {
  type: 'OrderingIdClaimed',
  data: { kind: 'order', id: 'o-1', deliveryDayId: monday },
};

describe('OrderingIdClaim', () => {
  it('lives in the stream ordering.idClaim-<kind>-<URI-encoded id>, case kept', () => {
    expect(orderingIdClaimStreamName('order', 'Ab:1')).toBe('ordering.idClaim-order-Ab%3A1');
    expect(orderingIdClaimStreamName('release', 'r-1')).toBe('ordering.idClaim-release-r-1');
  });

  it('given no claim, when a day claims an id, then the id is that day’s', () => {
    spec.given([]).when(claimForMonday).then([claimedForMonday]);
  });

  it('given the id is the day’s already, when the same day claims it again (a retry), then nothing changes', () => {
    spec.given([claimedForMonday]).when(claimForMonday).thenNothing();
  });

  it('given the id is another day’s, when a day claims it, then it is refused without naming that day', () => {
    spec
      .given([claimedForMonday])
      .when({ ...claimForMonday, deliveryDayId: tuesday })
      .thenThrows('ORDER_ID_TAKEN', { field: 'id', id: 'o-1' });
    const state = orderingIdClaimDecider.evolve(orderingIdClaimDecider.initialState(), claimedForMonday);
    let thrown: unknown;
    try {
      orderingIdClaimDecider.decide({ ...claimForMonday, deliveryDayId: tuesday }, state);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as DomainError).kind).toBe('conflict');
    expect(JSON.stringify((thrown as DomainError).details)).not.toContain(monday);
  });

  it('given a release id another day holds, when claimed, then RELEASE_ID_TAKEN', () => {
    const released: OrderingIdClaimed = {
      type: 'OrderingIdClaimed',
      data: { ...claimedForMonday.data, kind: 'release' },
    };
    spec
      .given([released])
      .when({ ...claimForMonday, kind: 'release', deliveryDayId: tuesday })
      .thenThrows('RELEASE_ID_TAKEN');
  });

  it('when the claim lacks its day, kind or a valid id, then it is refused', () => {
    spec
      .given([])
      .when({ ...claimForMonday, deliveryDayId: '' })
      .thenThrows('FIELD_REQUIRED');
    spec
      .given([])
      .when({ ...claimForMonday, kind: 'vial' as never })
      .thenThrows('INVALID_ID_KIND');
    spec
      .given([])
      .when({ ...claimForMonday, id: 'has space' })
      .thenThrows('INVALID_ID');
  });
});
