import { LEGACY_PROJECTION_NAME } from './legacy-projection';
import { catalogue, dayCommand, moveRefs, placeFdg, staff } from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

const reason = 'Run 1 moved to the afternoon shift';
const nextMonday = '2026-03-09';

describe('legacy orders rows when a production run takes a new number or a slot a new time', () => {
  let bed: LegacyTestBed;
  /** OID, deliver_datetime, run, COID of every orders row. */
  const orders = async () => (await bed.positional('orders', 'OID')).map((row) => [row[1], row[4], row[8], row[9]]);

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_renumber');
    await bed.given(...catalogue, ...staff);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given orders this Monday and next, when run 1 becomes run 3 on Thursday, then only the coming rows follow', async () => {
    // Given: this Monday, an order at 08:00 (run 1)
    await bed.decideDay(placeFdg('order-1', 1002, '08:00', 1000));
    // and next Monday: an order at 08:00, and one at 10:30 (run 2) moved to 09:00 (run 1) with a ghost
    const onNextMonday = { endpointId: dayCommand.endpointId, date: nextMonday };
    await bed.decideDay({ ...placeFdg('order-2', 1004, '08:00', 800), ...onNextMonday });
    await bed.decideDay({ ...placeFdg('order-3', 1006, '10:30', 600), ...onNextMonday });
    await bed.decideDay({ ...placeFdg('order-4', 1008, '10:30', 400), ...onNextMonday });
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, ...onNextMonday, orderId: 'order-3' });
    await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...dayCommand,
      ...onNextMonday,
      orderId: 'order-3',
      targetSlotId: 'slot-0900',
      reason,
      ghostLegacyOid: 9000,
      secondGhostLegacyOid: 990009,
      timeZone: 'Europe/Copenhagen',
      refs: moveRefs('09:00', '10:30'),
    });
    expect(await orders()).toEqual([
      [1002, '2026-03-02 08:00:00', 1, -1],
      [1004, '2026-03-09 08:00:00', 1, -1],
      [1006, '2026-03-09 10:30:00', 1, 9000],
      [1008, '2026-03-09 10:30:00', 2, -1],
      [9000, '2026-03-09 09:00:00', 1, -1],
    ]);

    // When run 1 is renumbered on Thursday 2026-03-05
    bed.occurredAt = '2026-03-05T09:00:00.000Z';
    await bed.given({
      type: 'ProductionRunUpdated',
      data: {
        reason: 'Changed in the weekly schedule',
        productionRunId: 'run-mon-1',
        changes: { runNumber: { from: 1, to: 3 } },
      },
    });

    // Then next Monday's rows in its slots, the moved order's and the ghost's, carry run 3, as its
    // deliverTimes rows do; this Monday's row, history by then, keeps run 1; run 2's row is untouched
    const renumbered = [
      [1002, '2026-03-02 08:00:00', 1, -1],
      [1004, '2026-03-09 08:00:00', 3, -1],
      [1006, '2026-03-09 10:30:00', 3, 9000],
      [1008, '2026-03-09 10:30:00', 2, -1],
      [9000, '2026-03-09 09:00:00', 3, -1],
    ];
    expect(await orders()).toEqual(renumbered);
    expect((await bed.positional('deliverTimes', 'DTID')).map((row) => [row[5], row[6]])).toEqual([
      [30, 3],
      [32, 3],
      [34, 2],
    ]);

    // And a rebuild, which meets the days and the renumbering in one batch, gives the same rows
    await bed.engine.rebuild(LEGACY_PROJECTION_NAME);
    expect(await orders()).toEqual(renumbered);
  });
  it('given those rows, when the 08:00 slot moves to 07:45 on Friday, then only the coming rows of that slot follow', async () => {
    bed.occurredAt = '2026-03-06T09:00:00.000Z';
    await bed.given({
      type: 'DeliveryTimeSlotUpdated',
      data: {
        reason: 'Changed in the weekly schedule',
        slotId: 'slot-0800',
        changes: { deliveryTime: { from: '08:00', to: '07:45' } },
      },
    });

    // The old customer app's InsertOrder looks the row up by the time its deliverTimes row says now
    expect(await orders()).toEqual([
      [1002, '2026-03-02 08:00:00', 1, -1],
      [1004, '2026-03-09 07:45:00', 3, -1],
      [1006, '2026-03-09 10:30:00', 3, 9000],
      [1008, '2026-03-09 10:30:00', 2, -1],
      [9000, '2026-03-09 09:00:00', 3, -1],
    ]);
    const rows = await orders();
    await bed.engine.rebuild(LEGACY_PROJECTION_NAME);
    expect(await orders()).toEqual(rows);
  });
});
