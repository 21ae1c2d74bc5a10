import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { absent, activeMondayRun } from '../catalog/catalog-examples';
import {
  activityServedWithOverhead,
  deliveryDayDecider,
  type ActivityOrder,
  type GhostOrderCreated,
  type MoveOrderToSlot,
  type OrderCancelled,
  type RestoreOrder,
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
} from './ordering-examples';

const spec = specFor(deliveryDayDecider);
const day = { endpointId, date, at };

const moveTo = (
  targetSlot: MoveOrderToSlot['refs']['targetSlot'],
  overrides: Partial<MoveOrderToSlot> = {},
  targetRun = activeMondayRun,
): MoveOrderToSlot => ({
  type: 'MoveOrderToSlot',
  ...day,
  orderId: 'order-1',
  targetSlotId: targetSlot.status === 'absent' ? 'slot-herlev-mon-0900' : targetSlot.id,
  reason: 'Second run dropped',
  ghostLegacyOid: 9001,
  secondGhostLegacyOid: 990002,
  refs: { targetSlot, targetRun, closedDays: openDays },
  ...overrides,
});
const restore = (overrides: Partial<RestoreOrder> = {}): RestoreOrder => ({
  type: 'RestoreOrder',
  ...day,
  orderId: 'order-1',
  reason: 'Second run back on',
  ghostLegacyOid: 9002,
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
            refs: { targetSlot: slot0900, targetRun: activeMondayRun, closedDays: { dates: [], weeklyCloseDays: 1 } },
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
});
