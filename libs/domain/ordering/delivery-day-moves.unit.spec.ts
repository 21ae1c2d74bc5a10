import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { productionRunDecider } from '../catalog';
import { absent, activeIsotope, activeMondayRun, mondayRunScheduled } from '../catalog/catalog-examples';
import {
  activityServedWithOverhead,
  deliveryDayDecider,
  type ActivityOrder,
  type GhostOrderCreated,
  type MoveOrderToSlot,
  type OrderCancelled,
  type RestoreOrder,
  type SlotRefs,
} from './delivery-day';
import {
  accepted,
  activityReleased,
  at,
  at0800,
  at0900,
  at1030,
  cholineRun,
  cholineSlot0815,
  date,
  endpointId,
  factor1030To0900,
  fdgPlaced,
  fdgVial1,
  fetPlaced,
  ghostAt0900,
  moved,
  openDays,
  order1At1030,
  order1MovedTo0900,
  order1ReleasedAt0900Ghost,
  order2At0900,
  order3At0800,
  otherEndpointSlot,
  releasedVial,
  secondMondayRun,
  slot0800,
  slot0900,
  slot1030,
  slot0800With,
  slot1030With,
  timeZone,
} from './ordering-examples';

const spec = specFor(deliveryDayDecider);
const day = { endpointId, date, at };

/** The slot each example order was placed in, as the catalogue holds it (the handler loads it). */
const orderedSlotOf: Record<string, SlotRefs> = {
  'order-1': { slot: slot1030, productionRun: secondMondayRun },
  'order-2': { slot: slot0900, productionRun: activeMondayRun },
  'order-3': { slot: slot0800, productionRun: activeMondayRun },
  'order-4': { slot: slot1030, productionRun: secondMondayRun },
};
const moveTo = (
  targetSlot: MoveOrderToSlot['refs']['targetSlot'],
  overrides: Partial<MoveOrderToSlot> = {},
  targetRun = activeMondayRun,
): MoveOrderToSlot => {
  const ordered = orderedSlotOf[overrides.orderId ?? 'order-1'] ?? { slot: absent, productionRun: absent };
  return {
    type: 'MoveOrderToSlot',
    ...day,
    orderId: 'order-1',
    targetSlotId: targetSlot.status === 'absent' ? 'slot-herlev-mon-0900' : targetSlot.id,
    reason: 'Second run dropped',
    ghostLegacyOid: 9001,
    secondGhostLegacyOid: 990002,
    timeZone,
    refs: {
      targetSlot,
      targetRun,
      orderedSlot: ordered.slot,
      orderedRun: ordered.productionRun,
      closedDays: openDays,
      isotope: activeIsotope,
    },
    ...overrides,
  };
};
const restore = (overrides: Partial<RestoreOrder> = {}): RestoreOrder => ({
  type: 'RestoreOrder',
  ...day,
  orderId: 'order-1',
  reason: 'Second run back on',
  ghostLegacyOid: 9002,
  refs: { slot: slot1030, productionRun: secondMondayRun, closedDays: openDays },
  ...overrides,
});

const ghostOf = (slot: typeof at0800, legacyOid: number, hostedOrderIds: string[]): GhostOrderCreated => ({
  type: 'GhostOrderCreated',
  data: {
    ghostId: `ghost:${slot.slotId}:${legacyOid}`,
    legacyOid,
    ...slot,
    customerId: 'cust-herlev',
    customerLegacyId: 42,
    tracerId: 'tracer-fdg',
    tracerLegacyId: 3,
    hostedOrderIds,
  },
});
const dissolved = (slotId: string, legacyOid: number, because: 'hosts_nothing' | 'slot_has_own_order') =>
  [
    { type: 'GhostOrderDissolved', data: { ghostId: `ghost:${slotId}:${legacyOid}`, slotId, legacyOid, because } },
    {
      type: 'DeadOrderFlagged',
      data: { orderId: `ghost:${slotId}:${legacyOid}`, slotId, legacyOid, kind: 'ghost' },
    },
  ] as const;
const restored = {
  type: 'OrderRestoredToSlot',
  data: { orderId: 'order-1', from: at0900, to: at1030, reason: 'Second run back on' },
} as const;

describe('DeliveryDay moves', () => {
  describe('MoveOrderToSlot', () => {
    it('serves an order from an earlier slot with the decay-corrected activity: 1000 MBq at 10:30 is ≈ 1765 MBq at 09:00', () => {
      const [event] = deliveryDayDecider.decide(moveTo(slot0900), fold(deliveryDayDecider, [order1At1030]));
      expect(event?.type).toBe('OrderMovedToSlot');
      if (event?.type !== 'OrderMovedToSlot') return;
      expect(event.data.decayFactor).toBeCloseTo(2 ** (90 / (6586.2 / 60)), 12);
      expect(Math.round(event.data.activityAtTargetMBq)).toBe(1765);
      // × (1 + 10 %) from the catalogue page.
      expect(Math.round(event.data.activityAtTargetWithOverheadMBq)).toBe(1942);
    });

    it('hosts the moved order under a ghost when the target slot has no order of its own', () => {
      spec.given([order1At1030]).when(moveTo(slot0900)).then([order1MovedTo0900, ghostAt0900]);
    });

    it('creates no ghost when the target slot has its own order, which hosts the moved one', () => {
      spec.given([order1At1030, order2At0900]).when(moveTo(slot0900)).then([order1MovedTo0900]);
    });

    it('given a host moved away from the orders it hosts, then both slots get a ghost, each with its own legacy id', () => {
      // order-2 (own at 09:00) hosts order-1 (moved there from 10:30); order-2 goes on to 08:00
      const given = fold(deliveryDayDecider, [order1At1030, order2At0900, order1MovedTo0900]);
      const events = deliveryDayDecider.decide(
        moveTo(slot0800, { orderId: 'order-2', ghostLegacyOid: 9001, secondGhostLegacyOid: 9002 }),
        given,
      );
      const ghosts = events.filter((event): event is GhostOrderCreated => event.type === 'GhostOrderCreated');
      expect(ghosts.map((ghost) => [ghost.data.slotId, ghost.data.legacyOid, ghost.data.hostedOrderIds])).toEqual([
        ['slot-herlev-mon-0800', 9001, ['order-2']],
        ['slot-herlev-mon-0900', 9002, ['order-1']],
      ]);
      expect(new Set(ghosts.map((ghost) => ghost.data.ghostId)).size).toBe(2);
    });

    it('a second order moved into a ghost slot joins the existing ghost', () => {
      const order4 = fdgPlaced('order-4', 1004, at1030, 400);
      spec
        .given([order1At1030, order4, order1MovedTo0900, ghostAt0900])
        .when(moveTo(slot0900, { orderId: 'order-4' }))
        .then([moved('order-4', at1030, at0900, 400)]);
    });

    it('moves accepted orders too', () => {
      spec
        .given([order1At1030, accepted('order-1')])
        .when(moveTo(slot0900))
        .then([order1MovedTo0900, ghostAt0900]);
    });

    it('moves within the endpoint only', () => {
      spec
        .given([order1At1030])
        .when(moveTo(otherEndpointSlot))
        .thenThrows('SLOT_OF_ANOTHER_ENDPOINT', { slotId: 'slot-herlev-nuk-mon-0700' });
    });

    it('moves to a slot served by a run of the same tracer only', () => {
      spec
        .given([order1At1030])
        .when(moveTo(cholineSlot0815, {}, cholineRun))
        .thenThrows('MOVE_TO_ANOTHER_TRACER', { orderId: 'order-1', targetSlotId: 'slot-herlev-mon-fch-0815' });
    });

    it('moves to a slot that exists and delivers on that date', () => {
      spec.given([order1At1030]).when(moveTo(absent)).thenThrows('DELIVERY_TIME_SLOT_NOT_FOUND');
      const archived = { ...slot0900, status: 'archived' } as typeof slot0900;
      spec.given([order1At1030]).when(moveTo(archived)).thenThrows('SLOT_DOES_NOT_DELIVER');
      spec
        .given([order1At1030])
        .when(
          moveTo(slot0900, {
            refs: {
              ...moveTo(slot0900).refs,
              closedDays: { dates: [], weeklyCloseDays: 1 },
            },
          }),
        )
        .thenThrows('DATE_CLOSED');
    });

    it('never moves to a later slot than the ordered one', () => {
      spec
        .given([order3At0800])
        .when(moveTo(slot0900, { orderId: 'order-3' }))
        .thenThrows('MOVE_TO_LATER_SLOT', { orderId: 'order-3', orderedTime: '08:00', targetTime: '09:00' });
      spec
        .given([order3At0800])
        .when(moveTo(slot1030, { orderId: 'order-3' }, secondMondayRun))
        .thenThrows('MOVE_TO_LATER_SLOT');
    });

    it('may move on from one earlier slot to another, measured from the ordered slot; the empty ghost dies', () => {
      const ghostAt0800 = ghostOf(at0800, 9000, ['order-1']);
      spec
        .given([order1At1030, moved('order-1', at1030, at0800, 1000), ghostAt0800])
        .when(moveTo(slot0900))
        .then([
          moved('order-1', at0800, at0900, 1000, '10:30'),
          ...dissolved('slot-herlev-mon-0800', 9000, 'hosts_nothing'),
          ghostOf(at0900, 9001, ['order-1']),
        ]);
    });

    it('never moves a released order', () => {
      spec
        .given([
          order1At1030,
          accepted('order-1'),
          activityReleased('release-1', 'slot-herlev-mon-1030', ['order-1'], [releasedVial(fdgVial1, null)]),
        ])
        .when(moveTo(slot0900))
        .thenThrows('ORDER_RELEASED', { status: 'released' });
    });

    it('never moves a cancelled or rejected order', () => {
      const cancelled: OrderCancelled = {
        type: 'OrderCancelled',
        data: { orderId: 'order-1', previousStatus: 'ordered', reason: 'Patient cancelled', actingAs: 'shop' },
      };
      spec
        .given([order1At1030, cancelled])
        .when(moveTo(slot0900))
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'cancelled', allowedStatuses: ['ordered', 'accepted'] });
    });

    it('needs a reason: every move is audited', () => {
      spec
        .given([order1At1030])
        .when(moveTo(slot0900, { reason: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('moving an order where it already is changes nothing', () => {
      spec.given([order1At1030, order1MovedTo0900, ghostAt0900]).when(moveTo(slot0900)).thenNothing();
    });

    it('moving an order to its own ordered slot restores it, dissolving the ghost and flagging it dead', () => {
      spec
        .given([order1At1030, order1MovedTo0900, ghostAt0900])
        .when(moveTo(slot1030, { reason: 'Second run back on', ghostLegacyOid: 9002 }, secondMondayRun))
        .then([restored, ...dissolved('slot-herlev-mon-0900', 9001, 'hosts_nothing')]);
    });

    it('moving an unmoved order to its own slot changes nothing', () => {
      spec
        .given([order1At1030])
        .when(moveTo(slot1030, {}, secondMondayRun))
        .thenNothing();
    });

    it('moves activity orders only', () => {
      spec
        .given([fetPlaced('inj-1', 2001)])
        .when(moveTo(slot0900, { orderId: 'inj-1' }))
        .thenThrows('NOT_AN_ACTIVITY_ORDER', { orderId: 'inj-1' });
    });

    it('the moved order keeps its ordered slot and activity; the slot serves it decay-corrected with overhead', () => {
      const state = fold(deliveryDayDecider, [order1At1030, order1MovedTo0900, ghostAt0900]);
      const order = state.orders['order-1'] as ActivityOrder;
      expect(order).toMatchObject({ slotId: 'slot-herlev-mon-1030', deliveryTime: '10:30', activityMBq: 1000 });
      expect(order.movedTo).toEqual({ ...at0900, decayFactor: factor1030To0900 });
      expect(activityServedWithOverhead(order)).toBeCloseTo(1000 * factor1030To0900 * 1.1, 9);
      expect(state.ghosts['slot-herlev-mon-0900']?.ghostId).toBe('ghost:slot-herlev-mon-0900:9001');
    });
  });

  describe('RestoreOrder', () => {
    it('brings a moved order back to its ordered slot; the ghost dissolves and is flagged dead', () => {
      spec
        .given([order1At1030, order1MovedTo0900, ghostAt0900])
        .when(restore())
        .then([restored, ...dissolved('slot-herlev-mon-0900', 9001, 'hosts_nothing')]);
      const state = fold(deliveryDayDecider, [
        order1At1030,
        order1MovedTo0900,
        ghostAt0900,
        restored,
        ...dissolved('slot-herlev-mon-0900', 9001, 'hosts_nothing'),
      ]);
      expect(state.ghosts).toEqual({});
      expect((state.orders['order-1'] as ActivityOrder).movedTo).toBeNull();
    });

    it('keeps the ghost while it still hosts other moved orders', () => {
      const order4 = fdgPlaced('order-4', 1004, at1030, 400);
      spec
        .given([order1At1030, order4, order1MovedTo0900, ghostAt0900, moved('order-4', at1030, at0900, 400)])
        .when(restore())
        .then([restored]);
    });

    it('restoring an order that was never moved changes nothing', () => {
      spec.given([order1At1030]).when(restore()).thenNothing();
    });

    it('never restores a released order', () => {
      spec
        .given([order1At1030, accepted('order-1'), order1MovedTo0900, ghostAt0900, order1ReleasedAt0900Ghost])
        .when(restore())
        .thenThrows('ORDER_RELEASED');
    });

    it('needs a reason', () => {
      spec
        .given([order1At1030, order1MovedTo0900, ghostAt0900])
        .when(restore({ reason: ' ' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('fails for an order that does not exist', () => {
      spec
        .given([order1At1030])
        .when(restore({ orderId: 'order-9' }))
        .thenThrows('ORDER_NOT_FOUND');
    });
  });

  describe('RestoreOrder checks its slot as placing there does (regression: restore skipped every slot check)', () => {
    // 10:30 delivers at most 1000 MBq. X (800) is served from 09:00; Y (900) was placed at 10:30 meanwhile.
    const x = fdgPlaced('order-1', 1001, at1030, 800);
    const y = fdgPlaced('order-5', 1005, at1030, 900);
    const xAway = [x, moved('order-1', at1030, at0900, 800), ghostAt0900, y];
    const max1000 = slot1030With({ maxActivityMBq: 1000 });

    it('given the slot filled meanwhile, when X is restored, then the slot maximum refuses it', () => {
      spec
        .given(xAway)
        .when(restore({ refs: { slot: max1000, productionRun: secondMondayRun, closedDays: openDays } }))
        .thenThrows('SLOT_MAX_ACTIVITY_EXCEEDED', {
          slotId: 'slot-herlev-mon-1030',
          maxActivityMBq: 1000,
          orderedMBq: 1700,
        });
    });

    it('given the slot filled meanwhile, when X is moved to its own slot, then the slot maximum refuses it too', () => {
      spec
        .given(xAway)
        .when(moveTo(max1000, {}, secondMondayRun))
        .thenThrows('SLOT_MAX_ACTIVITY_EXCEEDED', { maxActivityMBq: 1000, orderedMBq: 1700 });
    });

    it('given room in the slot, when X is restored, then it is back', () => {
      const events = deliveryDayDecider.decide(
        restore({
          refs: { slot: slot1030With({ maxActivityMBq: 1700 }), productionRun: secondMondayRun, closedDays: openDays },
        }),
        fold(deliveryDayDecider, xAway),
      );
      expect(events.map((event) => event.type)).toEqual([
        'OrderRestoredToSlot',
        'GhostOrderDissolved',
        'DeadOrderFlagged',
      ]);
    });

    it('given the slot archived since, when X is restored (or moved back), then the slot no longer delivers', () => {
      const archived = { ...slot1030, status: 'archived' } as typeof slot1030;
      const refs = { slot: archived, productionRun: secondMondayRun, closedDays: openDays };
      spec.given(xAway).when(restore({ refs })).thenThrows('SLOT_DOES_NOT_DELIVER', { slotId: 'slot-herlev-mon-1030' });
      spec
        .given(xAway)
        .when(moveTo(archived, {}, secondMondayRun))
        .thenThrows('SLOT_DOES_NOT_DELIVER');
    });

    it('given the slot expired, its run archived or the date closed since, when X is restored, then it is refused', () => {
      const refs = { slot: slot1030, productionRun: secondMondayRun, closedDays: openDays };
      spec
        .given(xAway)
        .when(restore({ refs: { ...refs, slot: slot1030With({ expiryDate: date }) } }))
        .thenThrows('SLOT_DOES_NOT_DELIVER', { expiryDate: date });
      spec
        .given(xAway)
        .when(
          restore({
            refs: { ...refs, productionRun: { ...secondMondayRun, status: 'archived' } as typeof secondMondayRun },
          }),
        )
        .thenThrows('PRODUCTION_RUN_ARCHIVED');
      spec
        .given(xAway)
        .when(restore({ refs: { ...refs, closedDays: { dates: [date], weeklyCloseDays: 0 } } }))
        .thenThrows('DATE_CLOSED', { date });
    });

    it('given the slot rescheduled since, when X is restored, then it returns at the slot as it is now', () => {
      const [event] = deliveryDayDecider.decide(
        restore({
          refs: { slot: slot1030With({ deliveryTime: '11:00' }), productionRun: secondMondayRun, closedDays: openDays },
        }),
        fold(deliveryDayDecider, [order1At1030, order1MovedTo0900, ghostAt0900]),
      );
      expect(event).toEqual({ ...restored, data: { ...restored.data, to: { ...at1030, deliveryTime: '11:00' } } });
    });
  });

  describe('a slot rescheduled after ordering (regression: moves used the time the order recorded)', () => {
    const slot0930 = slot0800With({ slotId: 'slot-herlev-mon-0930', deliveryTime: '09:30' });
    const rescheduledTo0915 = slot1030With({ deliveryTime: '09:15' });
    const orderedSlotRescheduled = (slot: typeof slot1030) => ({
      ...moveTo(slot0930).refs,
      orderedSlot: slot,
      orderedRun: secondMondayRun,
    });

    it('given X placed at 10:30 and the slot moved to 09:15 since, when X is moved to 09:30, then it is a later slot', () => {
      spec
        .given([order1At1030])
        .when(moveTo(slot0930, { refs: orderedSlotRescheduled(rescheduledTo0915) }))
        .thenThrows('MOVE_TO_LATER_SLOT', { orderId: 'order-1', orderedTime: '09:15', targetTime: '09:30' });
    });

    it('given X placed at 10:30 and the slot moved to 11:00 since, when X is moved to 09:00, then it decays over two hours from 11:00', () => {
      const refs = { ...orderedSlotRescheduled(slot1030With({ deliveryTime: '11:00' })), targetSlot: slot0900 };
      const [event] = deliveryDayDecider.decide(moveTo(slot0900, { refs }), fold(deliveryDayDecider, [order1At1030]));
      expect(event?.type).toBe('OrderMovedToSlot');
      if (event?.type !== 'OrderMovedToSlot') return;
      expect(event.data.decayFactor).toBeCloseTo(2 ** (120 / (6586.2 / 60)), 12);
      expect(event.data.from).toEqual({ ...at1030, deliveryTime: '11:00' });
    });

    it('given an ordered slot the catalogue does not hold, when the order is moved, then it is measured from the time it recorded', () => {
      const refs = { ...moveTo(slot0900).refs, orderedSlot: absent, orderedRun: absent };
      spec.given([order1At1030]).when(moveTo(slot0900, { refs })).then([order1MovedTo0900, ghostAt0900]);
    });

    it('given a host moved away from the orders it hosts, then the ghost left in its slot stands at the slot as it is now', () => {
      // order-2 (own at 09:00) hosts order-1; 09:00 has been rescheduled to 09:05 since
      const given = fold(deliveryDayDecider, [order1At1030, order2At0900, order1MovedTo0900]);
      const refs = {
        ...moveTo(slot0800, { orderId: 'order-2' }).refs,
        orderedSlot: slot0800With({ slotId: 'slot-herlev-mon-0900', deliveryTime: '09:05' }),
      };
      const events = deliveryDayDecider.decide(moveTo(slot0800, { orderId: 'order-2', refs }), given);
      const ghostAtOwnSlot = events.find(
        (event): event is GhostOrderCreated =>
          event.type === 'GhostOrderCreated' && event.data.slotId === 'slot-herlev-mon-0900',
      );
      expect(ghostAtOwnSlot?.data.deliveryTime).toBe('09:05');
    });
  });

  describe('a half-life corrected after ordering (regression: moves decayed with the one frozen at placing)', () => {
    it('given X placed at 10:30 with F-18 at 6586.2 s, and the isotope corrected to 6000 s since, when X is moved to 09:00, then it decays with 6000 s', () => {
      const corrected = { ...activeIsotope, halfLifeSeconds: 6000 } as typeof activeIsotope;
      const refs = { ...moveTo(slot0900).refs, isotope: corrected };
      const [event] = deliveryDayDecider.decide(moveTo(slot0900, { refs }), fold(deliveryDayDecider, [order1At1030]));
      if (event?.type !== 'OrderMovedToSlot') throw new Error(`expected a move, got ${event?.type}`);
      const factor = 2 ** (5400 / 6000);
      expect(event.data.decayFactor).toBeCloseTo(factor, 12);
      expect(event.data.activityAtTargetMBq).toBeCloseTo(1000 * factor, 9);
    });

    it('given an isotope the catalogue does not hold, when X is moved, then the half-life it recorded counts', () => {
      const refs = { ...moveTo(slot0900).refs, isotope: absent };
      spec.given([order1At1030]).when(moveTo(slot0900, { refs })).then([order1MovedTo0900, ghostAt0900]);
    });
  });

  describe('decay across a daylight-saving change (regression: clock minutes, not elapsed time)', () => {
    // Sunday 2026-03-29, Copenhagen: the clock jumps from 02:00 to 03:00.
    const sunday = '2026-03-29';
    const sundayRun = fold(productionRunDecider, [
      {
        ...mondayRunScheduled,
        data: { ...mondayRunScheduled.data, productionRunId: 'run-sun', weekday: 7, productionTime: '00:30' },
      },
    ]);
    const sundaySlot = (deliveryTime: string) =>
      slot0800With({ slotId: `slot-sun-${deliveryTime}`, productionRunId: 'run-sun', weekday: 7, deliveryTime });
    const placement = (deliveryTime: string) => ({
      slotId: `slot-sun-${deliveryTime}`,
      productionRunId: 'run-sun',
      deliveryTime,
      runNumber: 1,
      slotLegacyId: 11,
    });
    const placed = fdgPlaced('order-1', 1001, placement('03:30'), 1000);
    const placedOnSunday = { ...placed, data: { ...placed.data, date: sunday } };

    it('given slots 01:30 and 03:30, when an order is moved 03:30 → 01:30, then it decays over one real hour (≈ 1.4606)', () => {
      const move = moveTo(sundaySlot('01:30'), {
        date: sunday,
        targetSlotId: 'slot-sun-01:30',
        refs: {
          targetSlot: sundaySlot('01:30'),
          targetRun: sundayRun,
          orderedSlot: sundaySlot('03:30'),
          orderedRun: sundayRun,
          closedDays: openDays,
        },
      });
      const [event] = deliveryDayDecider.decide(move, fold(deliveryDayDecider, [placedOnSunday]));
      expect(event?.type).toBe('OrderMovedToSlot');
      if (event?.type !== 'OrderMovedToSlot') return;
      expect(event.data.decayFactor).toBeCloseTo(2 ** (60 / (6586.2 / 60)), 12);
      expect(event.data.decayFactor).toBeCloseTo(1.4606, 4);
    });
  });
});
