import { fold } from '../kernel';
import { deliveryDayDecider, type DeliveryDayEvent, type ReleasedOrderCorrected } from './delivery-day';
import { accepted, activityReleased, at0800, fdgPlaced, fdgVial1, releasedVial } from './ordering-examples';
import { staleVialAssignment, UNRECORDED_RELEASE_GRACE_SECONDS } from './stale-vial-assignment';

const now = '2026-03-02T09:00:00.000Z';
const secondsBefore = (seconds: number) => new Date(Date.parse(now) - seconds * 1000).toISOString();
const placedAndReleased = [
  fdgPlaced('order-1', 1001, at0800, 1000),
  accepted('order-1'),
  activityReleased('release-1', 'slot-herlev-mon-0800', ['order-1'], [releasedVial(fdgVial1, null)]),
];
const corrected: ReleasedOrderCorrected = {
  type: 'ReleasedOrderCorrected',
  data: {
    releaseId: 'release-1',
    orderIds: ['order-1'],
    reason: 'Wrong vial',
    old: { status: 'released', vials: [releasedVial(fdgVial1, null)], lot: 'FDG-260302-1' },
    new: { status: 'accepted', vials: [], lot: null },
  },
};
const day = (...events: DeliveryDayEvent[]) => fold(deliveryDayDecider, events);

describe('a vial assignment left behind', () => {
  it('given the release in force, then the assignment holds', () => {
    expect(staleVialAssignment({ releaseId: 'release-1' }, day(...placedAndReleased), null, now)).toBeNull();
  });

  it('given the release corrected, then it is stale at once', () => {
    expect(staleVialAssignment({ releaseId: 'release-1' }, day(...placedAndReleased, corrected), null, now)).toBe(
      'Release release-1 was corrected',
    );
  });

  it('given no such release, then it holds for the grace period and is stale after it', () => {
    const empty = day();
    const justBefore = secondsBefore(UNRECORDED_RELEASE_GRACE_SECONDS - 1);
    expect(staleVialAssignment({ releaseId: 'release-9' }, empty, justBefore, now)).toBeNull();
    expect(
      staleVialAssignment({ releaseId: 'release-9' }, empty, secondsBefore(UNRECORDED_RELEASE_GRACE_SECONDS), now),
    ).toBe('Release release-9 was never recorded');
    expect(staleVialAssignment({ releaseId: 'release-9' }, empty, null, now)).toBeNull();
  });
});
