import type { DeliveryDayEvent, OrderPlaced, SlotPlacement } from '@tracershop/domain/ordering';
import {
  activityReleased,
  fdgVial1,
  fdgVial2,
  releasedVial,
  vialDispensed,
} from '@tracershop/domain/ordering/ordering-examples';
import {
  deriveCustomerDayRows,
  deriveDayRows,
  evolveDay,
  extraVialComment,
  followSlotSchedule,
  newDayState,
  type LegacyDayState,
  type OrdersRow,
} from './legacy-delivery-day';
import { legacyColumns, legacyColumnsNotOwned } from './legacy-tables';

const at = (time: string) => ({ at: `2026-03-02 ${time}:00` });
const slot = (slotId: string, deliveryTime: string, runNumber: number): SlotPlacement => ({
  slotId,
  productionRunId: `run-${runNumber}`,
  deliveryTime,
  runNumber,
  slotLegacyId: null,
});
const s0800 = slot('s-0800', '08:00', 1);
const s1030 = slot('s-1030', '10:30', 2);
const factor = 1.5;

const placed = (orderId: string, legacyOid: number, placement: SlotPlacement, activityMBq: number): OrderPlaced => ({
  type: 'OrderPlaced',
  data: {
    endpointId: 'ep',
    date: '2026-03-02',
    order: {
      kind: 'activity',
      orderId,
      legacyOid,
      customerId: 'cust',
      customerLegacyId: 42,
      tracerId: 'fdg',
      tracerLegacyId: 6,
      comment: null,
      orderedBy: { userId: 'u', username: 'anne', printedName: 'Anne' },
      ...placement,
      activityMBq,
      overheadPercent: 10,
      halfLifeSeconds: 6586.2,
      bookingIds: [],
    },
    deadlineOverrideReason: null,
  },
});
const moved = (orderId: string, from: SlotPlacement, to: SlotPlacement): DeliveryDayEvent => ({
  type: 'OrderMovedToSlot',
  data: {
    orderId,
    from,
    to,
    reason: 'r',
    decayFactor: factor,
    activityAtTargetMBq: 0,
    activityAtTargetWithOverheadMBq: 0,
  },
});
const restored = (orderId: string, from: SlotPlacement, to: SlotPlacement): DeliveryDayEvent => ({
  type: 'OrderRestoredToSlot',
  data: { orderId, from, to, reason: 'r' },
});

/** Ghost 'g' (OID 90) in the slot, hosting the orders. */
const ghostCreated = (placement: SlotPlacement, hostedOrderIds: string[]): DeliveryDayEvent => ({
  type: 'GhostOrderCreated',
  data: {
    ghostId: 'g',
    legacyOid: 90,
    ...placement,
    customerId: 'cust',
    customerLegacyId: 42,
    tracerId: 'fdg',
    tracerLegacyId: 6,
    hostedOrderIds,
  },
});

const injectionPlaced: OrderPlaced = {
  type: 'OrderPlaced',
  data: {
    endpointId: 'ep',
    date: '2026-03-02',
    order: {
      kind: 'injection',
      orderId: 'i',
      legacyOid: 8,
      customerId: 'cust',
      customerLegacyId: 42,
      tracerId: 'fet',
      tracerLegacyId: 9,
      comment: null,
      orderedBy: { userId: 'u', username: 'anne', printedName: 'Anne' },
      deliveryTime: '11:15',
      injections: 4,
      usage: 'human',
      bookingIds: [],
    },
    deadlineOverrideReason: null,
  },
};

function play(...events: DeliveryDayEvent[]): LegacyDayState {
  return events.reduce((state, event) => evolveDay(state, event, at('07:00')), newDayState('ep', '2026-03-02'));
}

/** OID → [run, COID, amount, total_amount, status] */
function summary(state: LegacyDayState) {
  return Object.fromEntries(
    [...deriveDayRows(state).orders.values()].map((row) => [
      row.OID,
      [row.run, row.COID, row.amount, row.total_amount, row.status],
    ]),
  );
}

describe('legacy rows of a delivery day', () => {
  const placedAll = [placed('a', 2, s1030, 100), placed('b', 4, s1030, 50), placed('c', 6, s0800, 10)];

  it('writes every column of its order rows but those the old system owns (order_time is stamped when written)', () => {
    // Given a day with an activity order and an injection order; when its rows are derived
    const rows = deriveDayRows(play(placedAll[0], injectionPlaced));
    // Then they hold exactly the columns a rebuild's merge replaces
    const owned = (table: 'orders' | 't_orders') =>
      legacyColumns[table].filter(
        (column) => ![...(legacyColumnsNotOwned[table] ?? []), 'order_time'].includes(column),
      );
    expect(Object.keys([...rows.orders.values()][0] ?? {}).sort()).toEqual(owned('orders').sort());
    expect(Object.keys([...rows.tOrders.values()][0] ?? {}).sort()).toEqual(owned('t_orders').sort());
  });

  it('gives a row that loses the order it was named after the OID of its earliest remaining order', () => {
    const state = play(...placedAll, moved('a', s1030, s0800));
    expect(summary(state)).toEqual({
      2: [1, 6, 100, 0, 1],
      4: [2, -1, 50, 50, 1],
      6: [1, -1, 10, 10 + 100 * factor, 1],
    });
  });

  it('puts orders moved from one slot to the same slot in one row (one row per BID, time and run)', () => {
    const state = play(...placedAll, moved('a', s1030, s0800), moved('b', s1030, s0800));
    expect(summary(state)).toEqual({
      2: [1, 6, 150, 0, 1],
      6: [1, -1, 10, Math.round(10 + 150 * factor), 1],
    });
  });

  it('merges a restored order back into the row of its slot', () => {
    const state = play(...placedAll, moved('a', s1030, s0800), restored('a', s0800, s1030));
    expect(summary(state)).toEqual({ 4: [2, -1, 150, 150, 1], 6: [1, -1, 10, 10, 1] });
    expect(state.rowOids).toEqual({ 's-1030>s-1030': 4, 's-0800>s-0800': 6 });
  });

  it('leaves out a row of withdrawn orders while a ghost hosts its slot, and shows it again after', () => {
    const ghost = ghostCreated(s0800, ['a']);
    const cancelled: DeliveryDayEvent = {
      type: 'OrderCancelled',
      data: { orderId: 'c', previousStatus: 'ordered', reason: 'r', actingAs: 'shop' },
    };
    const withGhost = play(...placedAll, cancelled, moved('a', s1030, s0800), ghost);
    expect(summary(withGhost)).toEqual({
      2: [1, 90, 100, 0, 1],
      4: [2, -1, 50, 50, 1],
      90: [1, -1, 0, 100 * factor, 2],
    });
    const dissolved = play(...placedAll, cancelled, moved('a', s1030, s0800), ghost, restored('a', s0800, s1030), {
      type: 'GhostOrderDissolved',
      data: { ghostId: 'g', slotId: 's-0800', legacyOid: 90, because: 'hosts_nothing' },
    });
    expect(summary(dissolved)).toEqual({ 4: [2, -1, 150, 150, 1], 6: [1, -1, 10, 10, 4] });
  });

  it("adds a second order of the slot as InsertOrder does: each order's amount_o truncated on its own", () => {
    // Given two orders of 333 MBq at 15 % overhead in one slot (333 × 1.15 = 382.95 each)
    const at15 = (event: OrderPlaced): OrderPlaced => ({
      ...event,
      data: { ...event.data, order: { ...event.data.order, overheadPercent: 15 } as OrderPlaced['data']['order'] },
    });
    const state = play(at15(placed('a', 2, s0800, 333)), at15(placed('b', 4, s0800, 333)));
    // When the row is derived; then amount_o is 382 + 382, not trunc(765.9)
    const row = deriveDayRows(state).orders.get(2);
    expect([row?.amount, row?.amount_o, row?.total_amount, row?.total_amount_o]).toEqual([666, 764, 666, 764]);
  });

  it('truncates amount_o from the whole amount the row stores, for an order of a fractional MBq', () => {
    // Given orders of 99.6 MBq without overhead and 909.5 MBq at 10 % (fractional MBq come from the API)
    const at = (overheadPercent: number, event: OrderPlaced): OrderPlaced => ({
      ...event,
      data: { ...event.data, order: { ...event.data.order, overheadPercent } as OrderPlaced['data']['order'] },
    });
    const state = play(at(0, placed('a', 2, s0800, 99.6)), at(10, placed('b', 4, s1030, 909.5)));
    // When the rows are derived; then amount_o = trunc(amount × (1 + overhead/100)) of the stored amount
    const rows = deriveDayRows(state).orders;
    expect([rows.get(2)?.amount, rows.get(2)?.amount_o]).toEqual([100, 100]);
    expect([rows.get(4)?.amount, rows.get(4)?.amount_o, rows.get(4)?.total_amount_o]).toEqual([910, 1001, 1001]);
  });

  it("keeps a withdrawn moved row under its host at status 4, out of the host's totals and its release", () => {
    // Given c (10 MBq) at 08:00 hosting a (1 MBq moved from 10:30), and a then cancelled
    const cancelled: DeliveryDayEvent = {
      type: 'OrderCancelled',
      data: { orderId: 'a', previousStatus: 'accepted', reason: 'r', actingAs: 'production' },
    };
    const state = play(placed('c', 6, s0800, 10), placed('a', 2, s1030, 1), moved('a', s1030, s0800), cancelled);
    // Then only its status changed: COID is still the host's, and the host delivers its own 10 MBq
    expect(summary(state)).toEqual({ 6: [1, -1, 10, 10, 1], 2: [1, 6, 1, 0, 4] });
    // And when the slot is released, the withdrawn row stays 4
    const released = evolveDay(
      state,
      activityReleased('r1', 's-0800', ['c'], [releasedVial(fdgVial1, null)]),
      at('09:50'),
    );
    expect(summary(released)).toEqual({ 6: [1, -1, 10, 10, 3], 2: [1, 6, 1, 0, 4] });
  });

  it("rounds each moved-in row's share of the host's totals on its own, as each move stored it", () => {
    // Given rows of 1 MBq from two later slots moved into the 08:00 row (1 × 1.5 each)
    const s1200 = slot('s-1200', '12:00', 3);
    const state = play(
      placed('c', 6, s0800, 10),
      placed('a', 2, s1030, 1),
      placed('d', 8, s1200, 1),
      moved('a', s1030, s0800),
      moved('d', s1200, s0800),
    );
    // When the rows are derived; then the host adds round(1.5) twice: 10 + 2 + 2, not round(13)
    const host = deriveDayRows(state).orders.get(6);
    expect([host?.total_amount, host?.total_amount_o]).toEqual([14, 11 + 2 + 2]);
  });

  it('keeps orders of other tracers out of orders', () => {
    const choline = placed('x', 8, s0800, 10);
    const state = play({
      ...choline,
      data: { ...choline.data, order: { ...choline.data.order, tracerLegacyId: 10 } },
    } as OrderPlaced);
    expect(deriveDayRows(state).orders.size).toBe(0);
  });
});

describe("legacy rows of orders the old system's customers withdrew by deleting their row", () => {
  const cancelled = (orderId: string): DeliveryDayEvent => ({
    type: 'OrderCancelled',
    data: { orderId, previousStatus: 'ordered', reason: 'Withdrawn in the old system', actingAs: 'shop' },
  });
  const reinstated = (orderId: string): DeliveryDayEvent =>
    ({
      type: 'OrderReinstated',
      data: { orderId, reason: 'Patient after all' },
    }) as DeliveryDayEvent;
  const deleted = (row: string) => ({ ...at('09:00'), deletedLegacyRow: row });
  const day = (...steps: Array<[DeliveryDayEvent, ReturnType<typeof at> & { deletedLegacyRow?: string }]>) =>
    steps.reduce((state, [event, facts]) => evolveDay(state, event, facts), newDayState('ep', '2026-03-02'));
  const oids = (state: LegacyDayState) => ({
    orders: [...deriveDayRows(state).orders.keys()],
    tOrders: [...deriveDayRows(state).tOrders.keys()],
  });

  it("given a cancel that came from the deletion of the order's own row, then no row stands for it (as live, so in a rebuild)", () => {
    const state = day(
      [placed('a', 3, s0800, 100), at('07:00')],
      [injectionPlaced, at('07:00')],
      [cancelled('a'), deleted('orders:3')],
      [cancelled('i'), deleted('t_orders:8')],
    );
    expect(oids(state)).toEqual({ orders: [], tOrders: [] });
  });

  it('given a cancel made in Tracershop, or from the deletion of another row, then the cancelled row stays, status 4', () => {
    const state = day(
      [placed('a', 3, s0800, 100), at('07:00')],
      [injectionPlaced, at('07:00')],
      [cancelled('a'), at('09:00')],
      [cancelled('i'), deleted('orders:8')],
    );
    expect(summary(state)).toEqual({ 3: [1, -1, 100, 100, 4] });
    expect(oids(state).tOrders).toEqual([8]);
  });

  it('given a new order at the same slot afterwards, then it has a row of its own, not the deleted one', () => {
    const state = day(
      [placed('a', 3, s0800, 100), at('07:00')],
      [cancelled('a'), deleted('orders:3')],
      [placed('b', 5, s0800, 200), at('10:00')],
    );
    expect(summary(state)).toEqual({ 5: [1, -1, 200, 200, 1] });
  });

  it('given such an order reinstated in Tracershop, then its row is back', () => {
    const state = day(
      [placed('a', 3, s0800, 100), at('07:00')],
      [cancelled('a'), deleted('orders:3')],
      [reinstated('a'), at('10:00')],
    );
    expect(summary(state)).toEqual({ 3: [1, -1, 100, 100, 2] });
  });
});

describe('legacy rows of a delivery day whose production run takes a new number', () => {
  const s0900 = slot('s-0900', '09:00', 1);
  /** Run 1 serves 08:00 and 09:00; it becomes run 3. */
  const run1Slots = new Set(['s-0800', 's-0900']);

  it("given orders in the run's slots, then their rows take the new number; other runs' rows keep theirs", () => {
    const state = play(placed('a', 2, s0800, 100), placed('b', 4, s1030, 50));
    const renumbered = followSlotSchedule(state, run1Slots, { runNumber: 3 });
    expect(summary(renumbered)).toEqual({ 2: [3, -1, 100, 100, 1], 4: [2, -1, 50, 50, 1] });
    // Only the changed order is a new object: the projection writes only what changed
    expect(renumbered.orders.b).toBe(state.orders.b);
    expect(renumbered.orders.a).not.toBe(state.orders.a);
  });

  it('given an order moved into the run, then its row and the ghost hosting it take the new number', () => {
    const ghost = ghostCreated(s0900, ['b']);
    const state = play(placed('b', 4, s1030, 50), moved('b', s1030, s0900), ghost);
    expect(summary(followSlotSchedule(state, run1Slots, { runNumber: 3 }))).toEqual({
      4: [3, 90, 50, 0, 1],
      90: [3, -1, 0, 50 * factor, 2],
    });
  });

  it('given a slot released that day, then its rows keep the run that made them', () => {
    const released = evolveDay(
      play(placed('a', 2, s0800, 100), placed('c', 6, s0900, 10)),
      activityReleased('r1', 's-0800', ['a'], [releasedVial(fdgVial1, null)]),
      at('09:50'),
    );
    expect(summary(followSlotSchedule(released, run1Slots, { runNumber: 3 }))).toEqual({
      2: [1, -1, 100, 100, 3],
      6: [3, -1, 10, 10, 1],
    });
  });

  it('given nothing in the run, or the number already taken, then the state is the same object', () => {
    const state = play(placed('b', 4, s1030, 50));
    expect(followSlotSchedule(state, run1Slots, { runNumber: 3 })).toBe(state);
    const already = followSlotSchedule(play(placed('a', 2, s0800, 100)), run1Slots, { runNumber: 3 });
    expect(followSlotSchedule(already, run1Slots, { runNumber: 3 })).toBe(already);
  });
});

describe('legacy rows of a delivery day whose slot delivers at a new time', () => {
  const s0900 = slot('s-0900', '09:00', 1);
  const rescheduled = new Set(['s-0900']);
  const deliveries = (state: LegacyDayState) =>
    Object.fromEntries([...deriveDayRows(state).orders.values()].map((row) => [row.OID, row.deliver_datetime]));

  it("given an order of the slot, a ghost in it and orders of other slots, then the slot's rows take the new time", () => {
    const withGhost = play(
      placed('a', 2, s0800, 100),
      placed('b', 4, s1030, 50),
      moved('b', s1030, s0900),
      ghostCreated(s0900, ['b']),
    );
    expect(deliveries(followSlotSchedule(withGhost, rescheduled, { deliveryTime: '09:15' }))).toEqual({
      2: '2026-03-02 08:00:00',
      // A moved order's own row stays at the slot it was ordered for (its COID names the host)
      4: '2026-03-02 10:30:00',
      90: '2026-03-02 09:15:00',
    });
    // An order of the slot's own dissolves the ghost (the domain): its row takes the new time too
    const withOwnOrder = play(placed('a', 2, s0800, 100), placed('c', 6, s0900, 10));
    expect(deliveries(followSlotSchedule(withOwnOrder, rescheduled, { deliveryTime: '09:15' }))).toEqual({
      2: '2026-03-02 08:00:00',
      6: '2026-03-02 09:15:00',
    });
    expect(followSlotSchedule(withGhost, rescheduled, { deliveryTime: '09:00' })).toBe(withGhost);
  });
});

describe('legacy rows of a released delivery when a slot is rescheduled', () => {
  const s0900 = slot('s-0900', '09:00', 1);

  it('given an order moved into a slot released that day, when its ordered slot takes a new time, then its released row keeps its time', () => {
    const released = evolveDay(
      play(placed('b', 4, s1030, 50), moved('b', s1030, s0900), ghostCreated(s0900, ['b'])),
      activityReleased('r1', 's-0900', ['b'], [releasedVial(fdgVial1, null)]),
      at('09:50'),
    );
    expect(followSlotSchedule(released, new Set(['s-1030']), { deliveryTime: '11:00' })).toBe(released);
  });
});

describe('legacy rows keep one row per BID, delivery time and run (invariant O1)', () => {
  const s0900 = slot('s-0900', '09:00', 1);
  /** (BID, deliver_datetime, run) of every row but extra-vial rows, each once. */
  const keysOf = (
    rows: Map<number, { BID: number | null; deliver_datetime: string; run: number; comment: string | null }>,
  ) =>
    [...rows.values()]
      .filter((row) => !row.comment?.startsWith('Extra ordre'))
      .map((row) => `${row.BID} ${row.deliver_datetime} run ${row.run}`);
  const unique = (keys: string[]) => [...new Set(keys)];

  it('given an order moved to an earlier slot of its own run while its slot keeps orders, then the host carries it', () => {
    // Given a (500) and b (300) at 09:00 on run 1, and a moved to 08:00, also run 1, where a ghost hosts it
    const state = play(
      placed('a', 2, s0900, 500),
      placed('b', 4, s0900, 300),
      moved('a', s0900, s0800),
      ghostCreated(s0800, ['a']),
    );
    // When the rows are derived
    const rows = deriveDayRows(state).orders;
    // Then 09:00 run 1 has b's row only, and a's decay-corrected share is in the ghost's totals
    expect(keysOf(rows)).toEqual(unique(keysOf(rows)));
    expect(summary(state)).toEqual({ 4: [1, -1, 300, 300, 1], 90: [1, -1, 0, 500 * factor, 2] });
  });

  it('given a withdrawn moved row at the key of its own slot, then it gives way', () => {
    const cancelled: DeliveryDayEvent = {
      type: 'OrderCancelled',
      data: { orderId: 'a', previousStatus: 'accepted', reason: 'r', actingAs: 'production' },
    };
    const state = play(
      placed('c', 6, s0800, 10),
      placed('a', 2, s0900, 500),
      placed('b', 4, s0900, 300),
      moved('a', s0900, s0800),
      cancelled,
    );
    expect(summary(state)).toEqual({ 6: [1, -1, 10, 10, 1], 4: [1, -1, 300, 300, 1] });
  });

  it("given two endpoints of one customer delivered at 08:00 from run 1, then one row holds both endpoints' orders", () => {
    // Given the PET and the nuclear medicine endpoint of customer 42, each with an 08:00 order on run 1
    const pet = play(placed('a', 2, s0800, 100), placed('c', 6, s1030, 10));
    const nuc = [placed('x', 8, s0800, 50)].reduce(
      (state, event) => evolveDay(state, event, at('07:00')),
      newDayState('ep-nuc', '2026-03-02'),
    );
    // When the customer's rows of the date are derived
    const rows = deriveCustomerDayRows([pet, nuc]).orders;
    // Then 08:00 run 1 is one row: the first endpoint's OID, both amounts (InsertOrder's merge)
    expect(keysOf(rows)).toEqual(unique(keysOf(rows)));
    expect([...rows.keys()]).toEqual([2, 6]);
    expect(rows.get(2)).toMatchObject({ amount: 150, total_amount: 150, amount_o: 165, status: 1 });
  });

  it("given an order of the second endpoint moved into a slot the first endpoint's row stands for, then it hangs under that row", () => {
    const pet = play(placed('a', 2, s0800, 100));
    const nuc = [placed('x', 8, s0800, 50), placed('y', 10, s1030, 20), moved('y', s1030, s0800)].reduce(
      (state, event) => evolveDay(state, event, at('07:00')),
      newDayState('ep-nuc', '2026-03-02'),
    );
    const rows = deriveCustomerDayRows([pet, nuc]).orders;
    expect(rows.get(10)).toMatchObject({ COID: 2, run: 1, total_amount: 0 });
    expect(rows.get(2)).toMatchObject({ amount: 150, total_amount: 150 + 20 * factor });
  });

  describe("given each endpoint's 08:00 order released with a vial of its own", () => {
    /** A day of the nuclear medicine endpoint, its events stamped at `time`. */
    const nucDay = (time: string, ...events: DeliveryDayEvent[]) =>
      events.reduce((state, event) => evolveDay(state, event, at(time)), newDayState('ep-nuc', '2026-03-02'));
    const petDay = (time: string, ...events: DeliveryDayEvent[]) =>
      events.reduce((state, event) => evolveDay(state, event, at(time)), newDayState('ep', '2026-03-02'));
    /** OID → [COID, batchnr, frigivet_amount, volume, status, frigivet_datetime] of the released rows. */
    const released = (rows: Map<number, OrdersRow>) =>
      Object.fromEntries(
        [...rows.values()]
          .filter((row) => row.status === 3)
          .map((row) => [row.OID, [row.COID, row.batchnr, row.frigivet_amount, row.volume, row.frigivet_datetime]]),
      );

    it('when the customer’s rows are derived, then the shared row carries one lot and an extra-vial row under it the other', () => {
      // Given PET (a, OID 2) released with vial 1 and nuclear medicine (x, OID 8) with vial 2, both at 07:00
      const pet = petDay(
        '07:00',
        placed('a', 2, s0800, 100),
        activityReleased('r1', 's-0800', ['a'], [releasedVial(fdgVial1, null)]),
      );
      const nuc = nucDay(
        '07:00',
        placed('x', 8, s0800, 50),
        activityReleased('r2', 's-0800', ['x'], [releasedVial(fdgVial2, null)]),
      );
      // When the rows of the customer's date are derived
      const rows = deriveCustomerDayRows([pet, nuc]).orders;
      // Then both lots are on the old system's rows: PET's on the shared row, nuclear medicine's on
      // the joined row's own OID as an extra-vial row under it
      expect(released(rows)).toEqual({
        2: [-1, 'FDG-260302-1', 2500, 5.2, '2026-03-02 07:00:00'],
        8: [2, 'FDG-260302-2', 1200, 3.1, '2026-03-02 07:00:00'],
      });
      expect(rows.get(2)).toMatchObject({ amount: 150, total_amount: 150 });
      expect(rows.get(8)).toMatchObject({ amount: 0, total_amount: 0, comment: extraVialComment(2), run: 1 });
    });

    it('when the second endpoint released first, then its vial is on the shared row and every other vial under it, in every rebuild', () => {
      // Given nuclear medicine released at 06:30 with vial 2, PET at 07:00 with vial 1 and vial 3 (extra row OID 12)
      const fdgVial3 = vialDispensed('FDG-260302-3', '09:55:00', 5003, { activityMBq: 800, volumeMl: 2 });
      const nuc = nucDay(
        '06:30',
        placed('x', 8, s0800, 50),
        activityReleased('r2', 's-0800', ['x'], [releasedVial(fdgVial2, null)]),
      );
      const pet = petDay(
        '07:00',
        placed('a', 2, s0800, 100),
        activityReleased('r1', 's-0800', ['a'], [releasedVial(fdgVial1, null), releasedVial(fdgVial3, 12)]),
      );
      // When the rows are derived (twice, as a rebuild derives them again)
      const rows = deriveCustomerDayRows([pet, nuc]).orders;
      // Then the earliest vial is on the shared row; PET's vials are extra-vial rows under it, its
      // first on the OID the joined row left free
      expect(released(rows)).toEqual({
        2: [-1, 'FDG-260302-2', 1200, 3.1, '2026-03-02 06:30:00'],
        8: [2, 'FDG-260302-1', 2500, 5.2, '2026-03-02 07:00:00'],
        12: [2, 'FDG-260302-3', 800, 2, '2026-03-02 07:00:00'],
      });
      expect(deriveCustomerDayRows([pet, nuc]).orders).toEqual(rows);
    });
  });
});

describe('legacy rows of a ghost created after its slot took a new time or run', () => {
  it('given the slot rescheduled before the host is cancelled, then the ghost row is at the slot’s new time and run', () => {
    // Given y at 08:00 hosting x (moved from 10:30), and the 08:00 slot now at 08:15 on run 3
    const hosted = play(placed('y', 2, s0800, 500), placed('x', 4, s1030, 1000), moved('x', s1030, s0800));
    const rescheduled = followSlotSchedule(hosted, new Set(['s-0800']), { deliveryTime: '08:15', runNumber: 3 });
    // When y is cancelled and the domain (which never learns of the new schedule) creates a ghost at 08:00
    const cancelled = evolveDay(
      rescheduled,
      {
        type: 'OrderCancelled',
        data: { orderId: 'y', previousStatus: 'accepted', reason: 'r', actingAs: 'production' },
      },
      at('07:30'),
    );
    const withGhost = evolveDay(cancelled, ghostCreated(s0800, ['x']), at('07:30'));
    // Then the ghost row is where deliverTimes says the slot delivers now
    const ghostRow = deriveDayRows(withGhost).orders.get(90);
    expect([ghostRow?.deliver_datetime, ghostRow?.run]).toEqual(['2026-03-02 08:15:00', 3]);
  });
});

describe('the OID of a legacy row whose order is withdrawn', () => {
  const ordered = (orderId: string, legacyOid: number, activityMBq: number, username: string): OrderPlaced => {
    const event = placed(orderId, legacyOid, s1030, activityMBq);
    return {
      ...event,
      data: {
        ...event.data,
        order: { ...event.data.order, orderedBy: { userId: username, username, printedName: username } },
      },
    } as OrderPlaced;
  };
  const cancelled = (orderId: string): DeliveryDayEvent => ({
    type: 'OrderCancelled',
    data: { orderId, previousStatus: 'accepted', reason: 'r', actingAs: 'production' },
  });

  it('given x moved away, b cancelled and x restored, then the row is x’s own, never b’s OID as accepted', () => {
    // Given x (xavier, OID 1002) and b (bodil, 1004) at 10:30; x moved to 08:00, b cancelled, x restored
    const state = play(
      ordered('x', 1002, 1000, 'xavier'),
      ordered('b', 1004, 300, 'bodil'),
      moved('x', s1030, s0800),
      ghostCreated(s0800, ['x']),
      cancelled('b'),
      restored('x', s0800, s1030),
    );
    // Then the slot's one row is 1002, x's, and no row shows 1004 other than cancelled
    const rows = deriveDayRows(state).orders;
    expect([...rows.values()].filter((row) => row.OID === 1004 && row.status !== 4)).toEqual([]);
    expect(rows.get(1002)).toMatchObject({ status: 1, amount: 1000, userName: 'xavier' });
  });

  it('given the order a row is named after cancelled while another is active, then the row is the active order’s', () => {
    const state = play(ordered('x', 1002, 1000, 'xavier'), ordered('b', 1004, 300, 'bodil'), cancelled('x'));
    expect(summary(state)).toEqual({ 1004: [2, -1, 300, 300, 1] });
    expect(deriveDayRows(state).orders.get(1004)?.userName).toBe('bodil');
  });
});
