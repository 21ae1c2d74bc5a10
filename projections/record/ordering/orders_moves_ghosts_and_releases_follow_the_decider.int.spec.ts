import { activeFdg, activeFet, activeHerlev, activeMondayRun } from '@tracershop/domain/catalog/catalog-examples';
import { activityServedWithOverhead, deliveryDayStreamName, type ActivityOrder } from '@tracershop/domain/ordering';
import {
  activityRefs,
  anne,
  at,
  dailyDeadline,
  date,
  endpointId,
  factor1030To0900,
  fdgVial1,
  fdgVial2,
  inTime,
  inTimeForWeekly,
  openDays,
  peter,
  placeFdg,
  placeFet,
  secondMondayRun,
  slot0900,
  slot1030,
  timeZone,
  weeklyDeadline,
} from '@tracershop/domain/ordering/ordering-examples';
import {
  dispenseCommand,
  openOrderingTestBed,
  productionUser,
  shopUser,
  type OrderingTestBed,
} from './test-support/ordering-test-bed';

const day = { endpointId, date };
const stream = deliveryDayStreamName(endpointId, date);
const slot0800Id = 'slot-herlev-mon-0800';
const slot0900Id = 'slot-herlev-mon-0900';
const slot1030Id = 'slot-herlev-mon-1030';
const moveReason = 'Second run dropped';
const toSlot0900 = {
  targetSlot: slot0900,
  targetRun: activeMondayRun,
  orderedSlot: slot1030,
  orderedRun: secondMondayRun,
  closedDays: openDays,
};

describe('record.ordering follows the delivery day and vial deciders', () => {
  let bed: OrderingTestBed;

  beforeAll(async () => {
    bed = await openOrderingTestBed('ord_flow');
  });

  afterAll(async () => {
    await bed.close();
  });

  /** Every order's row holds what the decider's state holds, served activity to the last bit. */
  async function expectOrdersToEqualDeciderState() {
    const state = bed.dayState(endpointId, date);
    for (const order of Object.values(state.orders)) {
      const row = await bed.readModel.getOrder(order.orderId);
      expect(row).toMatchObject({ status: order.status, releaseId: order.releaseId, comment: order.comment });
      if (order.kind === 'activity') {
        expect(row).toMatchObject({
          activityMBq: order.activityMBq,
          slotId: order.slotId,
          activeSlotId: order.movedTo?.slotId ?? order.slotId,
          moved: order.movedTo !== null,
          decayFactor: order.movedTo?.decayFactor ?? 1,
          activityServedMBq: activityServedWithOverhead(order as ActivityOrder),
        });
      } else {
        expect(row).toMatchObject({
          injections: order.injections,
          usage: order.usage,
          deliveryTime: order.deliveryTime,
        });
      }
    }
  }

  it('placing writes one row per order, delivered from its ordered slot, and its first history entry', async () => {
    bed.actor = shopUser;
    await bed.decideDay(
      placeFdg({
        orderId: 'order-1',
        legacyOid: 1001,
        slotId: slot1030Id,
        activityMBq: 1000,
        comment: 'Two patients',
        refs: activityRefs(slot1030, secondMondayRun),
      }),
    );
    await bed.decideDay(placeFdg({ orderId: 'order-3', legacyOid: 1003, slotId: slot0800Id, activityMBq: 800 }));
    await bed.decideDay({
      type: 'ChangeActivityOrder',
      ...day,
      at,
      now: inTime,
      deadline: dailyDeadline,
      orderId: 'order-3',
      activityMBq: 900,
      deadlineOverrideReason: null,
      actingAs: 'shop',
      maxActivityMBq: null,
    });

    const order = await bed.readModel.getOrder('order-1');
    expect(order).toMatchObject({
      orderId: 'order-1',
      kind: 'activity',
      endpointId,
      customerId: 'cust-herlev',
      tracerId: 'tracer-fdg',
      deliveryDate: date,
      deliveryTime: '10:30',
      slotId: slot1030Id,
      productionRunId: 'run-mon-2',
      runNumber: 2,
      slotLegacyId: 13,
      activeSlotId: slot1030Id,
      activeDeliveryTime: '10:30',
      activeRunNumber: 2,
      moved: false,
      decayFactor: 1,
      halfLifeSeconds: 6586.2,
      activityMBq: 1000,
      overheadPercent: 10,
      injections: null,
      usage: null,
      status: 'ordered',
      statusCode: 1,
      comment: 'Two patients',
      orderedBy: anne,
      deadlineOverrideReason: null,
      releaseId: null,
      releasedBy: null,
      releasedAt: null,
      bookingIds: [],
      legacyOid: 1001,
      customerLegacyId: 42,
      tracerLegacyId: 3,
      streamId: stream,
      revision: '0',
      createdAt: at,
      updatedAt: at,
    });
    expect(order!.activityServedMBq).toBeCloseTo(1100, 9);
    expect(order!.history).toEqual([
      {
        position: 1,
        eventType: 'OrderPlaced',
        eventPosition: order!.createdPosition,
        streamRevision: '0',
        occurredAt: at,
        actor: { id: shopUser.id, printedName: shopUser.printedName },
        reason: null,
        details: expect.objectContaining({ endpointId, date, order: expect.objectContaining({ activityMBq: 1000 }) }),
        signature: null,
      },
    ]);
    expect(await bed.readModel.getOrder('order-3')).toMatchObject({ activityMBq: 900, revision: '2' });
    expect((await bed.readModel.getOrder('order-3'))!.activityServedMBq).toBeCloseTo(990, 9);
    expect(await bed.readModel.locateOrder('order-1')).toEqual({
      kind: 'activity',
      endpointId,
      customerId: 'cust-herlev',
      deliveryDate: date,
    });
    expect(await bed.readModel.locateOrder('order-unknown')).toBeNull();
    expect(await bed.readModel.getOrder('order-unknown')).toBeNull();
    await expectOrdersToEqualDeciderState();
  });

  it('a move to an earlier slot without an order of its own creates a ghost; the board shows decayed figures', async () => {
    bed.actor = productionUser;
    const movedAt = '2026-03-02T06:00:00.000Z';
    await bed.decideDay({ type: 'AcceptOrder', ...day, at: movedAt, orderId: 'order-1' });
    await bed.decideDay({ type: 'AcceptOrder', ...day, at: movedAt, orderId: 'order-3' });
    const events = await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...day,
      at: movedAt,
      orderId: 'order-1',
      targetSlotId: slot0900Id,
      reason: moveReason,
      ghostLegacyOid: 9001,
      secondGhostLegacyOid: 990003,
      timeZone,
      refs: toSlot0900,
    });
    expect(events.map((event) => event.type)).toEqual(['OrderMovedToSlot', 'GhostOrderCreated']);

    const order = await bed.readModel.getOrder('order-1');
    expect(order).toMatchObject({
      status: 'accepted',
      statusCode: 2,
      slotId: slot1030Id,
      deliveryTime: '10:30',
      activeSlotId: slot0900Id,
      activeProductionRunId: 'run-mon-1',
      activeDeliveryTime: '09:00',
      activeRunNumber: 1,
      activeSlotLegacyId: 12,
      moved: true,
      decayFactor: factor1030To0900,
      updatedAt: movedAt,
    });
    // F-18: 1000 MBq for 10:30 needs ≈ 1765 MBq at 09:00, ≈ 1942 MBq with 10 % overhead.
    expect(Math.round(1000 * order!.decayFactor!)).toBe(1765);
    expect(Math.round(order!.activityServedMBq!)).toBe(1942);
    expect(order!.history.map((entry) => entry.eventType)).toEqual([
      'OrderPlaced',
      'OrderAccepted',
      'OrderMovedToSlot',
      'GhostOrderCreated',
    ]);
    expect(order!.history[2]).toMatchObject({
      position: 3,
      reason: moveReason,
      actor: { id: productionUser.id, printedName: productionUser.printedName },
      details: {
        from: expect.objectContaining({ slotId: slot1030Id }),
        to: expect.objectContaining({ slotId: slot0900Id }),
        decayFactor: factor1030To0900,
        reason: moveReason,
      },
    });
    expect(order!.history[3].details).toMatchObject({ ghostId: 'ghost:slot-herlev-mon-0900:9001', legacyOid: 9001 });

    const board = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });
    expect(board.slots.map((slot) => `${slot.deliveryTime} ${slot.slotId}`)).toEqual([
      `08:00 ${slot0800Id}`,
      `09:00 ${slot0900Id}`,
      `10:30 ${slot1030Id}`,
    ]);
    const [at0800, at0900, at1030] = board.slots;
    expect(at0800).toMatchObject({
      endpointId,
      customerId: 'cust-herlev',
      runNumber: 1,
      ordered: { orderIds: ['order-3'] },
    });
    expect(at0800.ordered.activityMBq).toBeCloseTo(990, 9);
    expect(at0900).toMatchObject({
      productionRunId: 'run-mon-1',
      ordered: { orderIds: [], activityMBq: 0 },
      movedIn: { orders: [{ orderId: 'order-1', fromSlotId: slot1030Id, fromDeliveryTime: '10:30' }] },
      ghost: { ghostId: 'ghost:slot-herlev-mon-0900:9001', legacyOid: 9001, hostedCount: 1, createdAt: movedAt },
      released: null,
      dead: [],
    });
    expect(Math.round(at0900.movedIn.activityMBq)).toBe(1942);
    expect(at0900.totalMBq).toBe(at0900.movedIn.activityMBq);
    expect(at0900.orders).toEqual([
      expect.objectContaining({ orderId: 'order-1', status: 'accepted', activityMBq: 1000, moved: true }),
    ]);
    expect(at1030).toMatchObject({
      runNumber: 2,
      ordered: { orderIds: [], activityMBq: 0 },
      movedOut: [{ orderId: 'order-1', toSlotId: slot0900Id, toDeliveryTime: '09:00' }],
      totalMBq: 0,
      ghost: null,
    });
    expect(at1030.orders.map((row) => row.orderId)).toEqual(['order-1']);
    expect(board.injectionOrders).toEqual([]);
    // Without production times, the runs serving a slot are listed and their need is unknown
    expect(board.runs.map((run) => [run.productionRunId, run.productionTime, run.activityAtProductionMBq])).toEqual([
      ['run-mon-1', null, null],
    ]);

    // Given the catalogue's runs of the weekday; when the board is read; then each run shows what it
    // delivers and what it must make at its production time, decayed back from each slot
    const withRuns = await bed.readModel.dayBoard({
      date,
      tracerId: 'tracer-fdg',
      productionRuns: [
        { productionRunId: 'run-mon-1', runNumber: 1, productionTime: '06:30', archived: false },
        { productionRunId: 'run-mon-2', runNumber: 2, productionTime: '09:00', archived: false },
        { productionRunId: 'run-mon-old', runNumber: 3, productionTime: '11:00', archived: true },
      ],
    });
    const backTo0630 = (mbq: number, minutes: number) => mbq * Math.exp((Math.LN2 * minutes * 60) / 6586.2);
    expect(withRuns.runs.map((run) => [run.productionRunId, run.productionTime, run.slotIds])).toEqual([
      ['run-mon-1', '06:30', [slot0800Id, slot0900Id]],
      ['run-mon-2', '09:00', []],
    ]);
    const [run1, run2] = withRuns.runs;
    expect(run1.deliveredMBq).toBeCloseTo(at0800.totalMBq + at0900.totalMBq, 9);
    expect(run1.activityAtProductionMBq).toBeCloseTo(backTo0630(990, 90) + backTo0630(at0900.totalMBq, 150), 6);
    expect(run2).toMatchObject({ deliveredMBq: 0, activityAtProductionMBq: 0 });

    // Given run 1 renumbered 4 in the catalogue since the orders were placed; then its slots and
    // the run show the number it has now, and the runs are listed by it
    const renumbered = await bed.readModel.dayBoard({
      date,
      tracerId: 'tracer-fdg',
      productionRuns: [
        { productionRunId: 'run-mon-1', runNumber: 4, productionTime: '06:30', archived: false },
        { productionRunId: 'run-mon-2', runNumber: 2, productionTime: '09:00', archived: false },
      ],
    });
    expect(renumbered.slots.map((slot) => [slot.slotId, slot.runNumber])).toEqual([
      [slot0800Id, 4],
      [slot0900Id, 4],
      [slot1030Id, 2],
    ]);
    expect(renumbered.runs.map((run) => [run.productionRunId, run.runNumber])).toEqual([
      ['run-mon-2', 2],
      ['run-mon-1', 4],
    ]);
    await expectOrdersToEqualDeciderState();
  });

  it('a restore leaves the ghost dead; a later ghost dissolves when the slot gets an order of its own', async () => {
    const events = await bed.decideDay({
      type: 'RestoreOrder',
      ...day,
      at,
      orderId: 'order-1',
      reason: 'Second run back on',
      ghostLegacyOid: 9002,
      refs: { slot: slot1030, productionRun: secondMondayRun, closedDays: openDays },
    });
    expect(events.map((event) => event.type)).toEqual([
      'OrderRestoredToSlot',
      'GhostOrderDissolved',
      'DeadOrderFlagged',
    ]);
    expect(await bed.readModel.getOrder('order-1')).toMatchObject({
      activeSlotId: slot1030Id,
      activeDeliveryTime: '10:30',
      moved: false,
      decayFactor: 1,
    });
    let board = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });
    let at0900 = board.slots.find((slot) => slot.slotId === slot0900Id)!;
    expect(at0900).toMatchObject({
      ghost: null,
      movedIn: { orders: [], activityMBq: 0 },
      dead: [{ ghostId: 'ghost:slot-herlev-mon-0900:9001', legacyOid: 9001, because: 'hosts_nothing' }],
    });
    expect(board.slots.find((slot) => slot.slotId === slot1030Id)!.ordered.activityMBq).toBeCloseTo(1100, 9);

    await bed.decideDay({
      type: 'MoveOrderToSlot',
      ...day,
      at,
      orderId: 'order-1',
      targetSlotId: slot0900Id,
      reason: moveReason,
      ghostLegacyOid: 9003,
      secondGhostLegacyOid: 990004,
      timeZone,
      refs: toSlot0900,
    });
    const placed = await bed.decideDay(
      placeFdg({
        orderId: 'order-2',
        legacyOid: 1002,
        slotId: slot0900Id,
        activityMBq: 500,
        actingAs: 'production',
        refs: activityRefs(slot0900),
      }),
    );
    expect(placed.map((event) => event.type)).toEqual(['OrderPlaced', 'GhostOrderDissolved', 'DeadOrderFlagged']);

    board = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });
    at0900 = board.slots.find((slot) => slot.slotId === slot0900Id)!;
    expect(at0900).toMatchObject({
      ordered: { orderIds: ['order-2'] },
      movedIn: { orders: [{ orderId: 'order-1' }] },
      ghost: null,
      dead: [
        { ghostId: 'ghost:slot-herlev-mon-0900:9001', because: 'hosts_nothing' },
        { ghostId: 'ghost:slot-herlev-mon-0900:9003', because: 'slot_has_own_order' },
      ],
    });
    expect(at0900.ordered.activityMBq).toBeCloseTo(550, 9);
    expect(at0900.totalMBq).toBeCloseTo(550 + 1000 * factor1030To0900 * 1.1, 9);

    expect(
      await bed.rows('SELECT ghost_id, status, hosted_count, dissolved_because FROM ordering_ghosts ORDER BY ghost_id'),
    ).toEqual([
      {
        ghost_id: 'ghost:slot-herlev-mon-0900:9001',
        status: 'dead',
        hosted_count: 0,
        dissolved_because: 'hosts_nothing',
      },
      {
        ghost_id: 'ghost:slot-herlev-mon-0900:9003',
        status: 'dead',
        hosted_count: 1,
        dissolved_because: 'slot_has_own_order',
      },
    ]);
    await expectOrdersToEqualDeciderState();
  });

  it('a release with vials of two lots releases the slot, every lot shown on its orders, and a signed correction takes it back', async () => {
    const dispensedAt = '2026-03-02T08:52:00.000Z';
    const vialIds = [fdgVial1.data.vialId, fdgVial2.data.vialId];
    await bed.decideVial(dispenseCommand(fdgVial1, dispensedAt));
    await bed.decideVial(dispenseCommand(fdgVial2, dispensedAt));
    await bed.decideDay({ type: 'AcceptOrder', ...day, at, orderId: 'order-2' });

    const releasedAt = '2026-03-02T09:05:00.000Z';
    await bed.decideDay({
      type: 'ReleaseSlot',
      ...day,
      at: releasedAt,
      releaseId: 'release-1',
      slotId: slot0900Id,
      orderIds: ['order-1', 'order-2'],
      vials: vialIds.map((vialId, index) => ({
        vialId,
        state: bed.vialState(vialId),
        extraRowLegacyOid: 7001 + index,
      })),
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fdg'],
      today: date,
      confirmOtherDate: false,
      refs: { tracer: activeFdg, customer: activeHerlev },
    });
    for (const vialId of vialIds) {
      await bed.decideVial({ type: 'AssignVial', vialId, releaseId: 'release-1', streamId: stream, at: releasedAt });
    }

    const release = await bed.readModel.getRelease('release-1');
    expect(release).toMatchObject({
      releaseId: 'release-1',
      kind: 'activity',
      endpointId,
      customerId: 'cust-herlev',
      deliveryDate: date,
      slotId: slot0900Id,
      tracerId: 'tracer-fdg',
      ghostId: null,
      orderIds: ['order-1', 'order-2'],
      lot: 'FDG-260302-1',
      lots: ['FDG-260302-1', 'FDG-260302-2'],
      deliveredActivityMBq: 3700,
      vialIds,
      releasedBy: peter,
      signature: { signerId: productionUser.id, printedName: productionUser.printedName, meaning: 'release' },
      releasedAt,
      status: 'released',
      correction: null,
      streamId: stream,
    });
    for (const orderId of ['order-1', 'order-2']) {
      expect(await bed.readModel.getOrder(orderId)).toMatchObject({
        status: 'released',
        statusCode: 3,
        releaseId: 'release-1',
        lot: 'FDG-260302-1',
        lots: ['FDG-260302-1', 'FDG-260302-2'],
        releasedBy: { userId: peter.userId, printedName: peter.printedName },
        releasedAt,
      });
    }
    const board = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });
    // Each order's row on the board names every lot delivered to it, not only the first
    const rows = board.slots.find((slot) => slot.slotId === slot0900Id)!.orders;
    expect(
      rows.map(({ orderId, lot, lots }) => ({ orderId, lot, lots })).sort((x, y) => x.orderId.localeCompare(y.orderId)),
    ).toEqual(
      ['order-1', 'order-2'].map((orderId) => ({
        orderId,
        lot: 'FDG-260302-1',
        lots: ['FDG-260302-1', 'FDG-260302-2'],
      })),
    );
    expect(board.slots.find((slot) => slot.slotId === slot0900Id)!.released).toEqual({
      releaseIds: ['release-1'],
      deliveredActivityMBq: 3700,
      lots: ['FDG-260302-1', 'FDG-260302-2'],
      vialIds,
    });
    expect(await bed.readModel.getVial(vialIds[0])).toMatchObject({
      lot: 'FDG-260302-1',
      fillDate: date,
      fillTime: '09:48:12',
      activityMBq: 2500,
      volumeMl: 5.2,
      dispenserNumber: 2,
      legacyValId: 5001,
      releaseId: 'release-1',
      releaseStreamId: stream,
      dispensedAt,
      revision: '1',
    });
    expect((await bed.readModel.listVials({ limit: 10, assigned: true })).items.map((vial) => vial.vialId)).toEqual(
      vialIds,
    );
    await expectOrdersToEqualDeciderState();

    const correctedAt = '2026-03-02T09:30:00.000Z';
    const reason = 'Wrong vial assigned';
    const [corrected] = await bed.decideDay({
      type: 'CorrectRelease',
      ...day,
      at: correctedAt,
      releaseId: 'release-1',
      reason,
      signatureMeaning: 'correct',
    });
    expect(corrected.type).toBe('ReleasedOrderCorrected');
    for (const vialId of vialIds) {
      await bed.decideVial({ type: 'UnassignVial', vialId, releaseId: 'release-1', reason, at: correctedAt });
    }

    expect(await bed.readModel.getRelease('release-1')).toMatchObject({
      status: 'corrected',
      // The original release and its signature stay on the record.
      releasedAt,
      signature: { meaning: 'release' },
      lots: ['FDG-260302-1', 'FDG-260302-2'],
      correction: {
        reason,
        correctedAt,
        correctedBy: { userId: productionUser.id, printedName: productionUser.printedName },
        signature: { meaning: 'correct', signerId: productionUser.id },
      },
    });
    expect(await bed.readModel.getOrder('order-2')).toMatchObject({
      status: 'accepted',
      statusCode: 2,
      releaseId: null,
      lot: null,
      lots: [],
      releasedBy: null,
      releasedAt: null,
    });
    const after = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });
    expect(after.slots.find((slot) => slot.slotId === slot0900Id)!.released).toBeNull();
    expect((await bed.readModel.listVials({ limit: 10, assigned: true })).items).toEqual([]);
    expect(await bed.readModel.getVial(vialIds[1])).toMatchObject({
      releaseId: null,
      releaseStreamId: null,
      revision: '2',
    });

    const { history } = (await bed.readModel.getOrder('order-1'))!;
    expect(history.map((entry) => `${entry.position} ${entry.eventType}`)).toEqual([
      '1 OrderPlaced',
      '2 OrderAccepted',
      '3 OrderMovedToSlot',
      '4 GhostOrderCreated',
      '5 OrderRestoredToSlot',
      '6 OrderMovedToSlot',
      '7 GhostOrderCreated',
      '8 ActivityReleased',
      '9 ReleasedOrderCorrected',
    ]);
    expect(history[4]).toMatchObject({ reason: 'Second run back on', details: { to: { slotId: slot1030Id } } });
    expect(history[7]).toMatchObject({
      occurredAt: releasedAt,
      signature: { meaning: 'release', printedName: productionUser.printedName },
      details: { releaseId: 'release-1', orderIds: ['order-1', 'order-2'], deliveredActivityMBq: 3700 },
    });
    expect(history[8]).toMatchObject({
      occurredAt: correctedAt,
      reason,
      signature: { meaning: 'correct' },
      details: {
        releaseId: 'release-1',
        old: { status: 'released', lot: 'FDG-260302-1', vials: [{ vialId: vialIds[0] }, { vialId: vialIds[1] }] },
        new: { status: 'accepted', vials: [], lot: null },
      },
    });
    await expectOrdersToEqualDeciderState();
  });

  it('injection orders: changes, release with a lot, and their own list on the board', async () => {
    bed.actor = shopUser;
    const weekly = { now: inTimeForWeekly, deadline: weeklyDeadline };
    await bed.decideDay(placeFet({ orderId: 'inj-1', legacyOid: 2001 }));
    await bed.decideDay({
      type: 'ChangeInjectionOrder',
      ...day,
      ...weekly,
      at,
      orderId: 'inj-1',
      changes: { injections: 5, usage: 'animal', deliveryTime: '11:45' },
      actingAs: 'shop',
      maxInjections: 6,
      deadlineOverrideReason: null,
    });
    bed.actor = productionUser;
    await bed.decideDay({ type: 'AcceptOrder', ...day, at, orderId: 'inj-1' });
    await bed.decideDay({
      type: 'ReleaseInjectionOrders',
      ...day,
      at,
      releaseId: 'release-inj-1',
      orderIds: ['inj-1'],
      lot: 'FET:260302:1',
      releasedBy: peter,
      signatureMeaning: 'release',
      releaseRightTracerIds: ['tracer-fet'],
      refs: { tracer: activeFet },
    });

    expect(await bed.readModel.getOrder('inj-1')).toMatchObject({
      kind: 'injection',
      tracerId: 'tracer-fet',
      deliveryTime: '11:45',
      slotId: null,
      activeSlotId: null,
      moved: false,
      decayFactor: null,
      activityMBq: null,
      activityServedMBq: null,
      injections: 5,
      usage: 'animal',
      status: 'released',
      lot: 'FET-260302-1',
      releaseId: 'release-inj-1',
      legacyOid: 2001,
      tracerLegacyId: 5,
    });
    expect((await bed.readModel.getOrder('inj-1'))!.history[1]).toMatchObject({
      eventType: 'InjectionOrderChanged',
      actor: { id: shopUser.id },
      details: { changes: { injections: { from: 4, to: 5 }, usage: { from: 'human', to: 'animal' } } },
    });
    expect(await bed.readModel.getRelease('release-inj-1')).toMatchObject({
      kind: 'injection',
      slotId: null,
      tracerId: 'tracer-fet',
      lot: 'FET-260302-1',
      lots: ['FET-260302-1'],
      deliveredActivityMBq: null,
      vialIds: [],
      customerId: 'cust-herlev',
    });
    const board = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fet' });
    expect(board).toEqual({
      date,
      tracerId: 'tracer-fet',
      closed: null,
      slots: [],
      runs: [],
      injectionOrders: [
        {
          orderId: 'inj-1',
          legacyOid: 2001,
          customerId: 'cust-herlev',
          endpointId,
          deliveryTime: '11:45',
          injections: 5,
          usage: 'animal',
          status: 'released',
          statusCode: 3,
          comment: null,
          releaseId: 'release-inj-1',
          lot: 'FET-260302-1',
          lots: ['FET-260302-1'],
        },
      ],
    });
    // The FDG board lists no injection orders of another tracer.
    expect((await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' })).injectionOrders).toEqual([]);
    await expectOrdersToEqualDeciderState();
  });

  it('a closed date, and a slot that no longer delivers on it, are said on the board; their orders stay listed', async () => {
    const open = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg' });
    expect(open.slots.length).toBeGreaterThan(1);
    expect(open.closed).toBeNull();
    expect(open.slots.every((slot) => slot.deliversOnDate)).toBe(true);
    // Given the date closed since, and the 10:30 slot delivering no more (archived, expired, off its week)
    const closed = { kind: 'closed-date' as const, reason: 'Cyclotron service' };
    const delivering = new Set(open.slots.map((slot) => slot.slotId).filter((slotId) => slotId !== slot1030Id));
    const board = await bed.readModel.dayBoard({
      date,
      tracerId: 'tracer-fdg',
      calendar: { closed, slotsDelivering: delivering },
    });
    expect(board.closed).toEqual(closed);
    expect(board.slots.map(({ slotId, deliversOnDate }) => ({ slotId, deliversOnDate }))).toEqual(
      open.slots.map(({ slotId }) => ({ slotId, deliversOnDate: slotId !== slot1030Id })),
    );
    // Nothing hidden: the same orders, totals and runs as on an open day
    const withoutCalendar = ({ slots, runs, injectionOrders }: typeof board) => ({
      slots: slots.map(({ deliversOnDate: _flag, ...slot }) => slot),
      runs,
      injectionOrders,
    });
    expect(withoutCalendar(board)).toEqual(withoutCalendar(open));
  });

  it('a customer filter shows only that customer’s columns; an empty one shows nothing', async () => {
    const mine = await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg', customerIds: ['cust-herlev'] });
    expect(mine.slots).toHaveLength(3);
    expect(await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg', customerIds: ['cust-other'] })).toEqual({
      date,
      tracerId: 'tracer-fdg',
      closed: null,
      slots: [],
      runs: [],
      injectionOrders: [],
    });
    expect((await bed.readModel.dayBoard({ date, tracerId: 'tracer-fdg', customerIds: [] })).slots).toEqual([]);
    await expect(bed.readModel.dayBoard({ date: '2026-02-30', tracerId: 'tracer-fdg' })).rejects.toMatchObject({
      details: { field: 'date' },
    });
  });
});
