import { activeFdg, activeHerlev, activeMondayRun } from '@tracershop/domain/catalog/catalog-examples';
import { deliveryTimeSlotStreamName } from '@tracershop/domain/catalog';
import { type OrderingEvent } from '@tracershop/domain/ordering';
import {
  activityRefs,
  at,
  date,
  endpointId,
  fdgVial1,
  openDays,
  peter,
  placeFdg,
  secondMondayRun,
  slot0900,
  slot1030,
  slot1030With,
  timeZone,
} from '@tracershop/domain/ordering/ordering-examples';
import {
  dispenseCommand,
  openOrderingTestBed,
  productionUser,
  type OrderingTestBed,
} from './test-support/ordering-test-bed';

const F18_HALF_LIFE_SECONDS = 6586.2;
/** ×2^(minutes/T½): activity needed `minutes` before a delivery. */
const earlier = (minutes: number) => 2 ** ((minutes * 60) / F18_HALF_LIFE_SECONDS);
const day = { endpointId, date, at };
const lastMonday = '2026-02-23';
const nextMonday = '2026-03-09';
const slot1030Id = 'slot-herlev-mon-1030';
const runs = [
  { productionRunId: 'run-mon-1', runNumber: 1, productionTime: '06:30', archived: false },
  { productionRunId: 'run-mon-2', runNumber: 2, productionTime: '09:00', archived: false },
];

describe('record.ordering: a slot rescheduled after orders were placed (regression: the board kept the time at placing)', () => {
  let bed: OrderingTestBed;
  const board = (onDate = date) =>
    bed.readModel.dayBoard({ date: onDate, tracerId: 'tracer-fdg', productionRuns: runs });
  /** Each order's day, ordered and serving slot times, and decay factor. */
  const orderTimes = () =>
    bed.rows(
      `SELECT order_id, DATE_FORMAT(delivery_date, '%Y-%m-%d') AS day, TIME_FORMAT(delivery_time, '%H:%i') AS ordered,
         TIME_FORMAT(active_delivery_time, '%H:%i') AS served, decay_factor AS factor
       FROM ordering_orders ORDER BY order_id`,
    );
  const ghostTimes = () =>
    bed.rows(`SELECT ghost_id, TIME_FORMAT(delivery_time, '%H:%i') AS t FROM ordering_ghosts ORDER BY ghost_id`);

  beforeAll(async () => {
    bed = await openOrderingTestBed('ordering_reschedule');
    bed.actor = productionUser;
    const at1030 = (orderId: string, legacyOid: number, activityMBq: number, onDate = date) =>
      placeFdg({
        orderId,
        legacyOid,
        date: onDate,
        slotId: slot1030Id,
        activityMBq,
        actingAs: 'production',
        deadlineOverrideReason: 'Placed for the spec',
        refs: activityRefs(slot1030, secondMondayRun),
      });

    // Given, before the reschedule: last Monday's order (history by then), this Monday's order-1
    // (1000 MBq) and order-3 (600 MBq, moved to 09:00), and next Monday's order released already
    await bed.decideDay(at1030('order-0', 1000, 700, lastMonday));
    await bed.decideDay(at1030('order-1', 1001, 1000));
    await bed.decideDay(at1030('order-3', 1003, 600));
    await bed.decideDay({ type: 'AcceptOrder', ...day, orderId: 'order-3' });
    await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...day,
      orderId: 'order-3',
      targetSlotId: 'slot-herlev-mon-0900',
      reason: 'Second run short',
      ghostLegacyOid: 9001,
      secondGhostLegacyOid: 9002,
      timeZone,
      refs: {
        targetSlot: slot0900,
        targetRun: activeMondayRun,
        orderedSlot: slot1030,
        orderedRun: secondMondayRun,
        closedDays: openDays,
      },
    });
    const next = { ...day, date: nextMonday };
    await bed.decideDay(at1030('order-9', 1009, 500, nextMonday));
    await bed.decideDay({ type: 'AcceptOrder', ...next, orderId: 'order-9' });
    await bed.decideVial(dispenseCommand(fdgVial1, at));
    await bed.decideDay({
      type: 'ReleaseSlot',
      ...next,
      releaseId: 'release-9',
      slotId: slot1030Id,
      orderIds: ['order-9'],
      vials: [{ vialId: fdgVial1.data.vialId, state: bed.vialState(fdgVial1.data.vialId), extraRowLegacyOid: 7001 }],
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fdg'],
      today: nextMonday,
      // The example vial was filled the Monday before: released for this one only when confirmed.
      confirmOtherDate: true,
      refs: { tracer: activeFdg, customer: activeHerlev },
    });

    // When, on Sunday 2026-03-01, the 10:30 slot is rescheduled to 11:00 and the 09:00 one to 08:50
    bed.occurredAt = '2026-03-01T09:00:00.000Z';
    // (one as recorded before a change held its reason, schema version 1; one with it, version 2)
    const rescheduled = (slotId: string, from: string, to: string, schemaVersion: number) =>
      bed.append(
        deliveryTimeSlotStreamName(slotId),
        [
          {
            type: 'DeliveryTimeSlotUpdated',
            data: {
              slotId,
              changes: { deliveryTime: { from, to } },
              ...(schemaVersion > 1 ? { reason: 'Cyclotron service window' } : {}),
            },
          } as unknown as OrderingEvent,
        ],
        { schemaVersion },
      );
    await rescheduled(slot1030Id, '10:30', '11:00', 1);
    await rescheduled('slot-herlev-mon-0900', '09:00', '08:50', 2);
    // and order-2 (1000 MBq) is placed in it afterwards, at its new time
    await bed.decideDay(
      placeFdg({
        orderId: 'order-2',
        legacyOid: 1002,
        slotId: slot1030Id,
        activityMBq: 1000,
        refs: activityRefs(slot1030With({ deliveryTime: '11:00' }), secondMondayRun),
      }),
    );
    await bed.decideDay({ type: 'AcceptOrder', ...day, orderId: 'order-1' });
    await bed.decideDay({ type: 'AcceptOrder', ...day, orderId: 'order-2' });
    await bed.caughtUp();
  });

  afterAll(async () => {
    await bed.close();
  });

  it('given orders placed before and after the reschedule, then the board shows the slot once, at 11:00', async () => {
    const at1030 = (await board()).slots.filter((slot) => slot.slotId === slot1030Id);
    expect(at1030.map((slot) => [slot.deliveryTime, slot.ordered.orderIds])).toEqual([
      ['11:00', ['order-1', 'order-2']],
    ]);
    expect((await bed.readModel.getOrder('order-1'))?.deliveryTime).toBe('11:00');
  });

  it("then the run's need is every order's MBq with overhead decayed back from 11:00", async () => {
    const run2 = (await board()).runs.find((run) => run.productionRunId === 'run-mon-2');
    // 2 × 1000 MBq, 10 % overhead, 11:00 back to the 09:00 production
    expect(run2?.activityAtProductionMBq).toBeCloseTo(2000 * 1.1 * earlier(120), 6);
  });

  it('then an order moved between the two slots is served at 08:50, decayed from 11:00; its ghost is at 08:50 too', async () => {
    const at0900 = (await board()).slots.find((slot) => slot.slotId === 'slot-herlev-mon-0900');
    expect(at0900?.deliveryTime).toBe('08:50');
    expect(at0900?.ghost).toMatchObject({ ghostId: 'ghost:slot-herlev-mon-0900:9001', hostedCount: 1 });
    expect(at0900?.movedIn.orders).toEqual([
      { orderId: 'order-3', fromSlotId: slot1030Id, fromDeliveryTime: '11:00', activityMBq: expect.any(Number) },
    ]);
    expect(at0900?.movedIn.activityMBq).toBeCloseTo(600 * earlier(130) * 1.1, 6);
    expect(await ghostTimes()).toEqual([{ ghost_id: 'ghost:slot-herlev-mon-0900:9001', t: '08:50' }]);
    // The run serving it makes 600 MBq (10 % overhead) for 11:00 at 06:30
    const run1 = (await board()).runs.find((run) => run.productionRunId === 'run-mon-1');
    expect(run1?.activityAtProductionMBq).toBeCloseTo(600 * 1.1 * earlier(270), 6);
  });

  it("then a day before the reschedule's date, and a day whose slot is released, keep their times", async () => {
    const rows = await orderTimes();
    expect(rows.map((row) => [row.order_id, row.day, row.ordered, row.served])).toEqual([
      ['order-0', lastMonday, '10:30', '10:30'],
      ['order-1', date, '11:00', '11:00'],
      ['order-2', date, '11:00', '11:00'],
      ['order-3', date, '11:00', '08:50'],
      ['order-9', nextMonday, '10:30', '10:30'],
    ]);
    expect(Number(rows[3]?.factor)).toBeCloseTo(earlier(130), 12);
  });

  it('given a rebuild, in one batch or in several, then the same rows', async () => {
    const rows = await orderTimes();
    const ghosts = await ghostTimes();
    for (const batchEvents of [1000, 3]) {
      await bed.rebuildInBatchesOf(batchEvents);
      expect(await orderTimes()).toEqual(rows);
      expect(await ghostTimes()).toEqual(ghosts);
    }
  });
});
