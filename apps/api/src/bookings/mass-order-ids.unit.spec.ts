import type { PlannedActivityOrder, PlannedInjectionOrder } from '@tracershop/domain/bookings';
import { massOrderIdOf } from './mass-order.service';

const activity: PlannedActivityOrder = {
  kind: 'activity',
  endpointId: 'ep-herlev-pet',
  date: '2026-03-02',
  slotId: 'slot-0800',
  tracerId: 'tracer-fdg',
  deliveryTime: '08:00',
  activityMBq: 956,
  exactActivityMBq: 956.25,
  bookingIds: ['A1', 'A3'],
  contributions: [],
};
const injection: PlannedInjectionOrder = {
  kind: 'injection',
  endpointId: 'ep-herlev-pet',
  date: '2026-03-02',
  tracerId: 'tracer-fet',
  deliveryTime: '11:00',
  injections: 2,
  usage: 'human',
  bookingIds: ['A4'],
};

describe('mass order ids', () => {
  it('are the same for the same endpoint, date, slot and bookings, in any order: a retry orders nothing twice', () => {
    expect(massOrderIdOf(activity)).toBe(massOrderIdOf({ ...activity, bookingIds: ['A3', 'A1'], activityMBq: 1 }));
    expect(massOrderIdOf(activity)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(massOrderIdOf(injection)).toBe(massOrderIdOf({ ...injection, injections: 3 }));
  });

  it('differ for another slot, another set of bookings, another day or endpoint', () => {
    const id = massOrderIdOf(activity);
    expect(massOrderIdOf({ ...activity, slotId: 'slot-1030' })).not.toBe(id);
    expect(massOrderIdOf({ ...activity, bookingIds: ['A1'] })).not.toBe(id);
    expect(massOrderIdOf({ ...activity, date: '2026-03-09' })).not.toBe(id);
    expect(massOrderIdOf({ ...activity, endpointId: 'ep-glostrup' })).not.toBe(id);
    expect(massOrderIdOf({ ...injection, bookingIds: ['A5'] })).not.toBe(massOrderIdOf(injection));
  });

  it('regression: differ once an order of these bookings was withdrawn, so the bookings are ordered afresh', () => {
    // Given order A made from A1 and A3 and withdrawn since; when they are mass-ordered again
    const withdrawn = massOrderIdOf(activity);
    const again = massOrderIdOf(activity, [withdrawn]);
    // Then the new order is not taken for A, and a retry names it again
    expect(again).not.toBe(withdrawn);
    expect(massOrderIdOf({ ...activity, bookingIds: ['A3', 'A1'] }, [withdrawn])).toBe(again);
    expect(massOrderIdOf(activity, ['order-b', withdrawn])).toBe(massOrderIdOf(activity, [withdrawn, 'order-b']));
    expect(massOrderIdOf(injection, [massOrderIdOf(injection)])).not.toBe(massOrderIdOf(injection));
  });
});
