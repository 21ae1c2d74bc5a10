import type { DeliveryDayEvent, OrderPlaced, SlotPlacement } from '@tracershop/domain/ordering';
import { activityReleased, fdgVial1, releasedVial } from '@tracershop/domain/ordering/ordering-examples';
import { deriveDayRows, evolveDay, followSlotSchedule, newDayState, type LegacyDayState } from './legacy-delivery-day';
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
    const state = play(
      placed('a', 2, s0800, 100),
      placed('b', 4, s1030, 50),
      moved('b', s1030, s0900),
      ghostCreated(s0900, ['b']),
      placed('c', 6, s0900, 10),
    );
    expect(deliveries(followSlotSchedule(state, rescheduled, { deliveryTime: '09:15' }))).toEqual({
      2: '2026-03-02 08:00:00',
      // A moved order's own row stays at the slot it was ordered for (its COID names the host)
      4: '2026-03-02 10:30:00',
      6: '2026-03-02 09:15:00',
      90: '2026-03-02 09:15:00',
    });
    expect(followSlotSchedule(state, rescheduled, { deliveryTime: '09:00' })).toBe(state);
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
