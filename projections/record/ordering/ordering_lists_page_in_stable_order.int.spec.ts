import {
  customerDecider,
  deliveryEndpointDecider,
  deliveryTimeSlotDecider,
  tracerPermissionDecider,
} from '@tracershop/domain/catalog';
import {
  activeMondayRun,
  herlevPetRegistered,
  herlevRegistered,
  mondaySlotScheduled,
} from '@tracershop/domain/catalog/catalog-examples';
import { fold } from '@tracershop/domain/kernel';
import type { PlaceActivityOrder } from '@tracershop/domain/ordering';
import {
  activityRefs,
  at,
  dailyDeadline,
  inTime,
  openDays,
  placeFdg,
  placeFet,
  secondMondayRun,
  slot0900,
  slot1030,
  timeZone,
  vialDispensed,
} from '@tracershop/domain/ordering/ordering-examples';
import type { Page } from '../catalog/catalog-read-model';
import { InvalidReadQueryError } from '../catalog/keyset-paging';
import type { OrderingPageOptions, OrderView } from './ordering-read-model';
import { dispenseCommand, openOrderingTestBed, type OrderingTestBed } from './test-support/ordering-test-bed';

// A second customer with its own endpoint, slot and catalogue page.
const rhCustomer = fold(customerDecider, [
  {
    ...herlevRegistered,
    data: { ...herlevRegistered.data, customerId: 'cust-rh', shortName: 'rh', dispenserNumber: 3, legacyId: 1020 },
  },
]);
const rhEndpoint = fold(deliveryEndpointDecider, [
  { ...herlevPetRegistered, data: { ...herlevPetRegistered.data, endpointId: 'ep-rh-pet', customerId: 'cust-rh' } },
]);
const rhSlot = fold(deliveryTimeSlotDecider, [
  {
    ...mondaySlotScheduled,
    data: { ...mondaySlotScheduled.data, slotId: 'slot-rh-mon-0800', endpointId: 'ep-rh-pet', legacyId: 1030 },
  },
]);
const rhPermission = fold(tracerPermissionDecider, [
  {
    type: 'TracerPermissionGranted',
    data: { endpointId: 'ep-rh-pet', tracerId: 'tracer-fdg', overheadPercent: null, maxInjections: null, legacyId: 31 },
  },
]);

const mondays = ['2026-03-02', '2026-03-09', '2026-03-16'];
const reason = 'Production plan changed';

/** Ids in another order than the delivery times, so an order by id alone would show. */
function ordersOf(date: string, week: number): PlaceActivityOrder[] {
  const herlev = (orderId: string, slotId: string, refs = activityRefs()) =>
    placeFdg({ orderId, legacyOid: 0, date, slotId, activityMBq: 100 * week, refs });
  return [
    herlev(`a-1030-${week}`, 'slot-herlev-mon-1030', activityRefs(slot1030, secondMondayRun)),
    herlev(`z-0800-${week}`, 'slot-herlev-mon-0800'),
    herlev(`m-0900-${week}`, 'slot-herlev-mon-0900', activityRefs(slot0900)),
    placeFdg({
      orderId: `r-0800-${week}`,
      legacyOid: 0,
      endpointId: 'ep-rh-pet',
      date,
      slotId: 'slot-rh-mon-0800',
      activityMBq: 50,
      refs: { ...activityRefs(rhSlot), endpoint: rhEndpoint, customer: rhCustomer, permission: rhPermission },
    }),
  ];
}

/** Follows `nextCursor` to the end; returns every page. */
async function allPages<T>(list: (options: OrderingPageOptions) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let after: string | null = null;
  do {
    const page: Page<T> = await list({ limit, after });
    pages.push(page.items);
    after = page.nextCursor;
  } while (after !== null && pages.length < 100);
  return pages;
}

const key = (order: OrderView) => `${order.deliveryDate} ${order.deliveryTime} ${order.orderId}`;

describe('ordering lists: keyset pages in a stable order, with filters', () => {
  let bed: OrderingTestBed;
  let legacyOid = 3000;

  beforeAll(async () => {
    bed = await openOrderingTestBed('ord_lists');
    for (const [index, date] of mondays.entries()) {
      for (const command of ordersOf(date, index + 1)) await bed.decideDay({ ...command, legacyOid: legacyOid++ });
    }
    await bed.decideDay(placeFet({ orderId: 'inj-1', legacyOid: legacyOid++ }));
  });

  afterAll(async () => {
    await bed.close();
  });

  it('pages through every order once, by delivery date, time and id', async () => {
    const pages = await allPages((options) => bed.readModel.listOrders(options), 5);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 3]);
    const keys = pages.flat().map(key);
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(13);
    expect(keys.slice(0, 5)).toEqual([
      '2026-03-02 08:00 r-0800-1',
      '2026-03-02 08:00 z-0800-1',
      '2026-03-02 09:00 m-0900-1',
      '2026-03-02 10:30 a-1030-1',
      '2026-03-02 11:15 inj-1',
    ]);
    expect((await bed.readModel.listOrders({ limit: 13 })).nextCursor).toBeNull();
  });

  it('a page continues after the last order it was given, whatever was placed in between', async () => {
    const first = await bed.readModel.listOrders({ limit: 3 });
    // Sorts before the cursor: an offset would now show the third order again.
    await bed.decideDay(
      placeFdg({ orderId: 'b-0800-1', legacyOid: legacyOid++, slotId: 'slot-herlev-mon-0800', activityMBq: 10 }),
    );
    const second = await bed.readModel.listOrders({ limit: 3, after: first.nextCursor });
    expect(second.items.map((order) => order.orderId)).toEqual(['a-1030-1', 'inj-1', 'r-0800-2']);
    expect((await bed.readModel.listOrders({ limit: 2 })).items.map((order) => order.orderId)).toEqual([
      'b-0800-1',
      'r-0800-1',
    ]);
  });

  it('filters by date, date range, endpoint, customers, tracer, status and kind', async () => {
    const ids = async (options: Parameters<typeof bed.readModel.listOrders>[0]) =>
      (await bed.readModel.listOrders(options)).items.map((order) => order.orderId);
    const day = { deliveryDate: '2026-03-09' } as const;
    await bed.decideDay({
      type: 'AcceptOrder',
      endpointId: 'ep-herlev-pet',
      date: '2026-03-09',
      at,
      orderId: 'z-0800-2',
    });
    await bed.decideDay({
      type: 'CancelOrder',
      endpointId: 'ep-herlev-pet',
      date: '2026-03-09',
      at,
      now: inTime,
      deadline: dailyDeadline,
      orderId: 'm-0900-2',
      reason,
      actingAs: 'shop',
      ghostLegacyOid: legacyOid++,
    });
    await bed.decideDay({
      type: 'RejectOrder',
      endpointId: 'ep-rh-pet',
      date: '2026-03-09',
      at,
      orderId: 'r-0800-2',
      reason,
      ghostLegacyOid: legacyOid++,
    });

    expect(await ids({ limit: 20, ...day })).toEqual(['r-0800-2', 'z-0800-2', 'm-0900-2', 'a-1030-2']);
    expect(await ids({ limit: 20, from: '2026-03-09', to: '2026-03-16', customerIds: ['cust-rh'] })).toEqual([
      'r-0800-2',
      'r-0800-3',
    ]);
    expect(await ids({ limit: 20, from: '2026-03-10' })).toHaveLength(4);
    expect(await ids({ limit: 20, to: '2026-03-02', endpointId: 'ep-rh-pet' })).toEqual(['r-0800-1']);
    expect(await ids({ limit: 20, customerIds: [] })).toEqual([]);
    expect(await ids({ limit: 20, customerIds: ['cust-herlev', 'cust-rh'], ...day })).toHaveLength(4);
    expect(await ids({ limit: 20, tracerId: 'tracer-fet' })).toEqual(['inj-1']);
    expect(await ids({ limit: 20, kind: 'injection' })).toEqual(['inj-1']);
    expect(await ids({ limit: 20, kind: 'activity', ...day })).toHaveLength(4);
    expect(await ids({ limit: 20, status: 'accepted' })).toEqual(['z-0800-2']);
    expect(await ids({ limit: 20, status: ['cancelled', 'rejected'] })).toEqual(['r-0800-2', 'm-0900-2']);
    const withdrawn = await bed.readModel.listOrders({ limit: 20, status: ['cancelled', 'rejected'] });
    expect(withdrawn.items.map((order) => order.statusCode)).toEqual([4, 4]);
    expect((await bed.readModel.getOrder('m-0900-2'))!.history[1]).toMatchObject({
      eventType: 'OrderCancelled',
      reason,
      details: { previousStatus: 'ordered', reason, actingAs: 'shop' },
    });
  });

  it('a ghost counts the moved-in orders it hosts as they are moved, cancelled and reinstated', async () => {
    const date = '2026-03-16';
    const day = { endpointId: 'ep-herlev-pet', date, at };
    await bed.decideDay(
      placeFdg({
        ...day,
        orderId: 'c-1030-3',
        legacyOid: legacyOid++,
        slotId: 'slot-herlev-mon-1030',
        activityMBq: 400,
        refs: activityRefs(slot1030, secondMondayRun),
      }),
    );
    // The 09:00 slot loses its own order, so the first move needs a ghost.
    await bed.decideDay({
      type: 'CancelOrder',
      ...day,
      now: inTime,
      deadline: dailyDeadline,
      orderId: 'm-0900-3',
      reason,
      actingAs: 'production',
      ghostLegacyOid: legacyOid++,
    });
    for (const orderId of ['a-1030-3', 'c-1030-3']) {
      await bed.decideDay({ type: 'AcceptOrder', ...day, orderId });
      await bed.decideDay({
        type: 'MoveOrderToSlot',
        ...day,
        orderId,
        targetSlotId: 'slot-herlev-mon-0900',
        reason,
        ghostLegacyOid: legacyOid++,
        secondGhostLegacyOid: 990006,
        timeZone,
        refs: {
          targetSlot: slot0900,
          targetRun: activeMondayRun,
          orderedSlot: slot1030,
          orderedRun: secondMondayRun,
          closedDays: openDays,
        },
      });
    }
    const ghostAt0900 = async () =>
      (await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' })).slots.find(
        (slot) => slot.slotId === 'slot-herlev-mon-0900',
      )!;
    expect((await ghostAt0900()).ghost).toMatchObject({ hostedCount: 2 });
    expect((await ghostAt0900()).movedIn.activityMBq).toBeCloseTo(
      (300 + 400) * Math.exp((Math.LN2 * 90 * 60) / 6586.2) * 1.1,
      9,
    );

    await bed.decideDay({
      type: 'CancelOrder',
      ...day,
      now: inTime,
      deadline: dailyDeadline,
      orderId: 'c-1030-3',
      reason,
      actingAs: 'production',
      ghostLegacyOid: legacyOid++,
    });
    let slot = await ghostAt0900();
    expect(slot.ghost).toMatchObject({ hostedCount: 1 });
    expect(slot.movedIn.orders.map((order) => order.orderId)).toEqual(['a-1030-3']);
    expect(slot.orders.map((order) => `${order.orderId} ${order.status}`)).toEqual([
      'm-0900-3 cancelled',
      'a-1030-3 accepted',
      'c-1030-3 cancelled',
    ]);

    await bed.decideDay({
      type: 'ReinstateOrder',
      ...day,
      orderId: 'c-1030-3',
      reason,
      ghostLegacyOid: legacyOid++,
      refs: { closedDays: openDays, activeSlot: { slot: slot0900, productionRun: activeMondayRun }, bookingOrders: [] },
    });
    slot = await ghostAt0900();
    expect(slot.ghost).toMatchObject({ hostedCount: 2 });
    expect(slot.ordered).toEqual({ orderIds: [], activityMBq: 0 });
  });

  it('vials: by fill date, time and id, filtered by fill date, lot, dispenser, assignment and voiding', async () => {
    const dispensed = [
      vialDispensed('FDG-260309-2', '07:10:00', 6003, { fillDate: '2026-03-09' }),
      vialDispensed('FDG-260302-1', '09:48:12', 6001),
      vialDispensed('FDG-260309-1', '07:10:00', 6002, { fillDate: '2026-03-09', dispenserNumber: 99 }),
      vialDispensed('FDG-260302-2', '09:51:40', 6004, { activityMBq: 1200 }),
      vialDispensed('FDG-260309-3', '08:00:00', 6005, { fillDate: '2026-03-09' }),
    ];
    for (const vial of dispensed) await bed.decideVial(dispenseCommand(vial, at));

    const pages = await allPages((options) => bed.readModel.listVials(options), 2);
    expect(pages.map((page) => page.map((vial) => vial.vialId))).toEqual([
      ['FDG-260302-1@2026-03-02T09:48:12', 'FDG-260302-2@2026-03-02T09:51:40'],
      // Same fill moment: the id breaks the tie.
      ['FDG-260309-1@2026-03-09T07:10:00', 'FDG-260309-2@2026-03-09T07:10:00'],
      ['FDG-260309-3@2026-03-09T08:00:00'],
    ]);
    const ids = async (options: Parameters<typeof bed.readModel.listVials>[0]) =>
      (await bed.readModel.listVials(options)).items.map((vial) => vial.legacyValId);
    expect(await ids({ limit: 10, fillDate: '2026-03-02' })).toEqual([6001, 6004]);
    expect(await ids({ limit: 10, lot: 'FDG:260309:3' })).toEqual([6005]);
    expect(await ids({ limit: 10, dispenserNumber: 99 })).toEqual([6002]);
    expect(await ids({ limit: 10, assigned: false, fillDate: '2026-03-09' })).toEqual([6002, 6003, 6005]);
    expect(await ids({ limit: 10, assigned: true })).toEqual([]);

    await bed.decideVial({
      type: 'CorrectVial',
      vialId: 'FDG-260309-3@2026-03-09T08:00:00',
      changes: { activityMBq: 2450.5, depotPosition: 4 },
      reason: 'Re-measured',
      at,
    });
    expect(await bed.readModel.getVial('FDG-260309-3@2026-03-09T08:00:00')).toMatchObject({
      activityMBq: 2450.5,
      depotPosition: 4,
      volumeMl: 5.2,
      revision: '1',
    });
    expect(await bed.readModel.getVial('FDG-000000-0@2026-03-09T08:00:00')).toBeNull();

    // When a vial recorded in error is voided, then it says why and by whom, and the free vials a
    // release may take leave it out; restored, it is one of them again.
    await bed.decideVial({
      type: 'VoidVial',
      vialId: 'FDG-260309-2@2026-03-09T07:10:00',
      reason: 'Fill time mistyped',
      at,
    });
    expect(await bed.readModel.getVial('FDG-260309-2@2026-03-09T07:10:00')).toMatchObject({
      voided: { reason: 'Fill time mistyped', at, byName: expect.any(String) as string },
      revision: '1',
    });
    expect(await ids({ limit: 10, voided: false, assigned: false, fillDate: '2026-03-09' })).toEqual([6002, 6005]);
    expect(await ids({ limit: 10, voided: true })).toEqual([6003]);
    await bed.decideVial({
      type: 'RestoreVial',
      vialId: 'FDG-260309-2@2026-03-09T07:10:00',
      reason: 'Voided in error',
      at,
    });
    expect(await bed.readModel.getVial('FDG-260309-2@2026-03-09T07:10:00')).toMatchObject({
      voided: null,
      revision: '2',
    });
    expect(await ids({ limit: 10, voided: false, fillDate: '2026-03-09' })).toEqual([6002, 6003, 6005]);
  });

  it('refuses a bad page size, a foreign or tampered cursor and unknown filter values', async () => {
    const { readModel } = bed;
    for (const limit of [0, 501, 2.5]) {
      await expect(readModel.listOrders({ limit })).rejects.toMatchObject({ details: { field: 'limit' } });
    }
    const vialCursor = (await readModel.listVials({ limit: 1 })).nextCursor!;
    await expect(readModel.listOrders({ limit: 1, after: vialCursor })).rejects.toBeInstanceOf(InvalidReadQueryError);
    const tampered = Buffer.from(JSON.stringify(['orders', ['2026-03-02', 8, 'x']])).toString('base64url');
    await expect(readModel.listOrders({ limit: 1, after: tampered })).rejects.toMatchObject({
      code: 'INVALID_READ_QUERY',
      details: { field: 'cursor' },
    });
    await expect(readModel.listOrders({ limit: 1, status: 'deleted' as never })).rejects.toMatchObject({
      details: { field: 'status', value: 'deleted' },
    });
    await expect(readModel.listOrders({ limit: 1, kind: 'pill' as never })).rejects.toMatchObject({
      details: { field: 'kind' },
    });
    await expect(readModel.listOrders({ limit: 1, deliveryDate: '2026-13-01' })).rejects.toMatchObject({
      details: { field: 'deliveryDate' },
    });
    await expect(readModel.listOrders({ limit: 1, customerIds: 'cust-rh' as never })).rejects.toMatchObject({
      details: { field: 'customerIds' },
    });
    await expect(readModel.listVials({ limit: 1, dispenserNumber: -1 })).rejects.toMatchObject({
      details: { field: 'dispenserNumber' },
    });
  });
});
