import { legacyColumns } from './legacy-tables';
import {
  catalogue,
  dayCommand,
  fdgSlots,
  moveRefs,
  openDays,
  states,
  placeCholine,
  placeFdg,
  peter,
  ordersRow,
  staff,
  vialDispensed,
} from './test-support/legacy-fixtures';
import { openLegacyTestBed, type LegacyTestBed } from './test-support/legacy-test-bed';

/** F-18's decay between two slot times, as the move decision computes it. */
const factor = (minutesEarlier: number) => Math.exp((Math.LN2 * minutesEarlier * 60) / 6586.2);

const reason = 'Run 2 cancelled';
/** 2026-03-02 07:30 in Copenhagen (CET). */
const releasedAt = '2026-03-02T06:30:00.000Z';

describe('legacy orders rows of FDG orders', () => {
  let bed: LegacyTestBed;
  const orders = () => bed.positional('orders', 'OID');

  beforeAll(async () => {
    bed = await openLegacyTestBed('legacy_fdg');
    await bed.given(...catalogue, ...staff);
  });

  afterAll(async () => {
    await bed.close();
  });

  it('merges the orders of one slot into one row; other activity tracers stay out of orders', async () => {
    await bed.decideDay(placeFdg('order-1', 1002, '08:00', 1000, 'Første levering'));
    await bed.decideDay(placeFdg('order-2', 1004, '08:00', 500.4, null, '2026-02-27T08:05:00.000Z'));
    await bed.decideDay(placeCholine('order-fch', 1012, 700));

    expect(await orders()).toEqual([
      ordersRow({
        OID: 1002,
        order_time: '2026-02-27 09:05:00',
        amount: 1500,
        deliver_datetime: '2026-03-02 08:00:00',
        status: 1,
        run: 1,
        total_amount: 1500,
        // trunc(1000 × 1.1) + trunc(500.4 × 1.1), with the catalogue page's 10 % overhead
        amount_o: 1650,
        total_amount_o: 1650,
        comment: 'Første levering',
      }),
    ]);
  });

  it('derives the status from the orders of the row', async () => {
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-1' });
    expect((await orders())[0]?.[5]).toBe(1);
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-2' });
    expect(await orders()).toEqual([
      ordersRow({
        OID: 1002,
        order_time: '2026-03-02 07:00:00',
        amount: 1500,
        deliver_datetime: '2026-03-02 08:00:00',
        status: 2,
        run: 1,
        total_amount: 1500,
        amount_o: 1650,
        total_amount_o: 1650,
        comment: 'Første levering',
      }),
    ]);
  });

  it('moves an order into an empty slot: a ghost row hosts it, and restoring it deletes the ghost', async () => {
    await bed.decideDay(placeFdg('order-3', 1006, '10:30', 1000));
    await bed.decideDay({ type: 'AcceptOrder', ...dayCommand, orderId: 'order-3' });
    const own1030 = ordersRow({
      OID: 1006,
      order_time: '2026-03-02 07:00:00',
      amount: 1000,
      deliver_datetime: '2026-03-02 10:30:00',
      status: 2,
      run: 2,
      total_amount: 1000,
      amount_o: 1100,
      total_amount_o: 1100,
    });
    expect((await orders())[1]).toEqual(own1030);

    bed.actorId = 'user-peter';
    const moved = await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...dayCommand,
      at: '2026-03-02T06:10:00.000Z',
      orderId: 'order-3',
      targetSlotId: 'slot-0900',
      reason,
      ghostLegacyOid: 9000,
      secondGhostLegacyOid: 990007,
      timeZone: 'Europe/Copenhagen',
      refs: moveRefs('09:00', '10:30'),
    });
    expect(moved.map((event) => event.type)).toEqual(['OrderMovedToSlot', 'GhostOrderCreated']);
    const [, movedRow, ghostRow] = await orders();
    expect(movedRow).toEqual(
      ordersRow({
        OID: 1006,
        order_time: '2026-03-02 07:10:00',
        amount: 1000,
        deliver_datetime: '2026-03-02 10:30:00',
        status: 2,
        run: 1,
        COID: 9000,
        total_amount: 0,
        amount_o: 1100,
        total_amount_o: 0,
      }),
    );
    expect(ghostRow).toEqual(
      ordersRow({
        OID: 9000,
        order_time: '2026-03-02 07:10:00',
        amount: 0,
        deliver_datetime: '2026-03-02 09:00:00',
        status: 2,
        run: 1,
        total_amount: Math.round(1000 * factor(90)),
        amount_o: 0,
        total_amount_o: Math.round(1100 * factor(90)),
        comment: 'Spøgelse bestilling',
        userName: 'peter',
      }),
    );

    const restored = await bed.decideDay({
      type: 'RestoreOrder',
      ...dayCommand,
      at: '2026-03-02T06:20:00.000Z',
      orderId: 'order-3',
      reason,
      ghostLegacyOid: 9002,
      refs: { slot: fdgSlots['10:30'].slot, productionRun: fdgSlots['10:30'].run, closedDays: openDays },
    });
    expect(restored.map((event) => event.type)).toEqual([
      'OrderRestoredToSlot',
      'GhostOrderDissolved',
      'DeadOrderFlagged',
    ]);
    const rows = await orders();
    expect(rows.map((row) => row[1])).toEqual([1002, 1006]);
    expect(rows[1]).toEqual(ordersRow({ ...columnsOf(own1030), order_time: '2026-03-02 07:20:00' }));
  });

  it('moves an order into a slot with its own row: that row hosts it (COID, decay-corrected totals)', async () => {
    await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...dayCommand,
      at: '2026-03-02T06:25:00.000Z',
      orderId: 'order-3',
      targetSlotId: 'slot-0800',
      reason,
      ghostLegacyOid: 9004,
      secondGhostLegacyOid: 990008,
      timeZone: 'Europe/Copenhagen',
      refs: moveRefs('08:00', '10:30'),
    });
    expect(await orders()).toEqual([
      ordersRow({
        OID: 1002,
        order_time: '2026-03-02 07:25:00',
        amount: 1500,
        deliver_datetime: '2026-03-02 08:00:00',
        status: 2,
        run: 1,
        total_amount: Math.round(1500 + 1000 * factor(150)),
        amount_o: 1650,
        total_amount_o: Math.round(1650 + 1100 * factor(150)),
        comment: 'Første levering',
      }),
      ordersRow({
        OID: 1006,
        order_time: '2026-03-02 07:25:00',
        amount: 1000,
        deliver_datetime: '2026-03-02 10:30:00',
        status: 2,
        run: 1,
        COID: 1002,
        total_amount: 0,
        amount_o: 1100,
        total_amount_o: 0,
      }),
    ]);
  });

  it('releases the host with the first vial, its dependants, and a row per extra vial; a correction undoes it', async () => {
    const vial1 = vialDispensed('FDG-260302-1', '07:12:40', 5002, 2500.4, 5.2);
    const vial2 = vialDispensed('FDG-260302-2', '07:15:02', 5004, 1200.7, 3.1);
    await bed.given(vial1, vial2);
    const before = await orders();

    await bed.decideDay({
      type: 'ReleaseSlot',
      ...dayCommand,
      at: releasedAt,
      releaseId: 'release-1',
      slotId: 'slot-0800',
      orderIds: ['order-1', 'order-2', 'order-3'],
      vials: [vial1, vial2].map((vial, index) => ({
        vialId: vial.data.vialId,
        state: bed.vialState(vial.data.vialId),
        extraRowLegacyOid: 7000 + 2 * index,
      })),
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fdg'],
      today: '2026-03-02',
      confirmOtherDate: false,
      refs: { tracer: states.fdg, customer: states.customer },
    });
    const released = {
      order_time: '2026-03-02 07:30:00',
      status: 3,
      frigivet_af: 17,
      frigivet_datetime: '2026-03-02 07:30:00',
    };
    expect(await orders()).toEqual([
      ordersRow({
        ...columnsOf(before[0] as unknown[]),
        ...released,
        batchnr: 'FDG-260302-1',
        frigivet_amount: 2500,
        volume: '5.20',
      }),
      ordersRow({ ...columnsOf(before[1] as unknown[]), ...released }),
      ordersRow({
        OID: 7002,
        ...released,
        amount: 0,
        deliver_datetime: '2026-03-02 08:00:00',
        batchnr: 'FDG-260302-2',
        run: 1,
        COID: 1002,
        total_amount: 0,
        // The vial's 1200.7 MBq into the INT column, which rounds (the host's first vial is truncated)
        frigivet_amount: 1201,
        amount_o: 0,
        total_amount_o: 0,
        volume: '3.10',
        comment: 'Extra ordre generated due to multiple vials assigned to order: 1002',
      }),
    ]);

    await bed.decideDay({
      type: 'CorrectRelease',
      ...dayCommand,
      at: '2026-03-02T06:45:00.000Z',
      releaseId: 'release-1',
      reason: 'Wrong vial',
      signatureMeaning: 'correct',
    });
    expect(await orders()).toEqual(
      before.map((row) => ordersRow({ ...columnsOf(row), order_time: '2026-03-02 07:45:00' })),
    );
  });

  it('keeps a row whose orders are all withdrawn, with status 4', async () => {
    await bed.decideDay(placeFdg('order-4', 1008, '09:00', 300));
    await bed.decideDay({
      type: 'CancelOrder',
      ...dayCommand,
      now: { date: '2026-02-27', time: '10:00' },
      deadline: { kind: 'daily', time: '13:00' },
      orderId: 'order-4',
      reason: 'Scanner broken',
      actingAs: 'shop',
      ghostLegacyOid: 9006,
    });
    const rows = await orders();
    expect(rows.find((row) => row[1] === 1008)).toEqual(
      ordersRow({
        OID: 1008,
        order_time: '2026-03-02 07:00:00',
        amount: 300,
        deliver_datetime: '2026-03-02 09:00:00',
        status: 4,
        run: 1,
        total_amount: 300,
        amount_o: 330,
        total_amount_o: 330,
      }),
    );
  });
});

/** A positional `orders` row back to column → value, to build an expected row from it. */
function columnsOf(row: unknown[]): Record<string, unknown> {
  return Object.fromEntries(legacyColumns.orders.map((column, index) => [column, row[index]]));
}
