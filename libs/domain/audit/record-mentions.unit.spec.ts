import { mentions } from './record-mentions';

const day = 'ordering.deliveryDay-endpoint-1:2026-12-07';
const placed = {
  streamId: day,
  data: {
    endpointId: 'endpoint-1',
    date: '2026-12-07',
    order: { orderId: 'o1', tracerId: 'fdg', slotId: 'slot-0800', activityMBq: 1000 },
  },
};
const moved = {
  streamId: day,
  data: { orderId: 'o1', from: { slotId: 'slot-1030' }, to: { slotId: 'slot-0800' }, reason: 'Samlet kørsel' },
};
const released = {
  streamId: day,
  data: { releaseId: 'r1', slotId: 'slot-0800', tracerId: 'fdg', vials: [{ vialId: 'v', lot: 'FDG-261207-1' }] },
};
const dispensed = { streamId: 'ordering.vial-FDG-261207-1@2026-12-07T07:10:00', data: { activityMBq: 1300 } };
const tracerRenamed = { streamId: 'catalog.tracer-fet', data: { tracerId: 'fet', changes: {} } };

describe('what a cross-record search finds by tracer, slot-day and batch', () => {
  it('given no values asked, then every event matches', () => {
    expect([placed, moved, released, dispensed, tracerRenamed].every((event) => mentions(event, {}))).toBe(true);
  });

  it('finds a tracer wherever the data names it, an order inside its placement included', () => {
    expect(
      [placed, moved, released, dispensed, tracerRenamed].map((event) => mentions(event, { tracerId: 'fdg' })),
    ).toEqual([true, false, true, false, false]);
  });

  it('finds a slot-day: the slot named anywhere (a move’s either end), on the delivery day’s stream', () => {
    const slotDay = { slotId: 'slot-1030', deliveryDate: '2026-12-07' };
    expect([placed, moved, released].map((event) => mentions(event, slotDay))).toEqual([false, true, false]);
    expect(mentions(placed, { slotId: 'slot-0800', deliveryDate: '2026-12-08' })).toBe(false);
  });

  it('finds a batch: a release naming its lot among its vials, and the vial’s own stream', () => {
    expect([placed, released, dispensed].map((event) => mentions(event, { lot: 'FDG-261207-1' }))).toEqual([
      false,
      true,
      true,
    ]);
    expect(mentions(dispensed, { lot: 'FDG-261207-11' })).toBe(false);
  });
});
