import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { activeMondayRun, archivedMondayRun } from '../catalog/catalog-examples';
import { type ClosedDays } from '../catalog';
import {
  deliveryDayDecider,
  type AcceptOrder,
  type ActingAs,
  type CancelOrder,
  type ChangeActivityOrder,
  type ChangeInjectionOrder,
  type GhostOrderCreated,
  type OrderActivityChanged,
  type OrderCancelled,
  type OrderPlaced,
  type OrderRejected,
  type RejectOrder,
  type ReinstateOrder,
  type SlotRefs,
} from './delivery-day';
import {
  accepted,
  activityReleased,
  at,
  at0800,
  at0900,
  at1030,
  dailyDeadline,
  date,
  endpointId,
  fdgPlaced,
  fdgVial1,
  fetPlaced,
  inTime,
  moved,
  order1At1030,
  order1MovedTo0900,
  order3At0800,
  openDays,
  releasedVial,
  slot0800,
  slot0800With,
  slot0900,
  tooLate,
} from './ordering-examples';

const spec = specFor(deliveryDayDecider);
const order1 = fdgPlaced('order-1', 1001, at0800, 1000);
const order1Released = activityReleased(
  'release-1',
  'slot-herlev-mon-0800',
  ['order-1'],
  [releasedVial(fdgVial1, null)],
);
const day = { endpointId, date, at };

const accept = (orderId = 'order-1'): AcceptOrder => ({ type: 'AcceptOrder', ...day, orderId });
const reject = (overrides: Partial<RejectOrder> = {}): RejectOrder => ({
  type: 'RejectOrder',
  ...day,
  orderId: 'order-1',
  reason: 'Cyclotron maintenance',
  ghostLegacyOid: 9001,
  ...overrides,
});
const cancel = (overrides: Partial<CancelOrder> = {}): CancelOrder => ({
  type: 'CancelOrder',
  ...day,
  orderId: 'order-1',
  reason: 'Patient cancelled',
  actingAs: 'shop',
  now: inTime,
  deadline: dailyDeadline,
  ghostLegacyOid: 9001,
  ...overrides,
});
/** A slot and its run as the catalogue holds them now: what the handler loads. */
const slotNow = (slot = slot0800, productionRun = activeMondayRun): SlotRefs => ({ slot, productionRun });
const reinstate = (
  overrides: Partial<ReinstateOrder> = {},
  activeSlot: SlotRefs | null = slotNow(),
  closedDays: ClosedDays = openDays,
): ReinstateOrder => ({
  type: 'ReinstateOrder',
  ...day,
  orderId: 'order-1',
  reason: 'Cancelled by mistake',
  ghostLegacyOid: 9001,
  refs: { closedDays, activeSlot, bookingOrders: [] },
  ...overrides,
});
const cancelledBy = (actingAs: 'shop' | 'production', previousStatus: 'ordered' | 'accepted' = 'ordered') =>
  ({
    type: 'OrderCancelled',
    data: { orderId: 'order-1', previousStatus, reason: 'Patient cancelled', actingAs },
  }) satisfies OrderCancelled;
const rejected: OrderRejected = {
  type: 'OrderRejected',
  data: { orderId: 'order-1', previousStatus: 'ordered', reason: 'Cyclotron maintenance' },
};

/** order-2 (500 MBq for 09:00) served from 08:00, where order-3 (800 MBq) is the host. */
const order2 = fdgPlaced('order-2', 1002, at0900, 500);
const order2MovedTo0800 = moved('order-2', at0900, at0800, 500);
const ghostHostingOrder2: GhostOrderCreated = {
  type: 'GhostOrderCreated',
  data: {
    ghostId: 'ghost:slot-herlev-mon-0800:9001',
    legacyOid: 9001,
    ...at0800,
    customerId: 'cust-herlev',
    customerLegacyId: 42,
    tracerId: 'tracer-fdg',
    tracerLegacyId: 3,
    hostedOrderIds: ['order-2'],
  },
};
const ghostDissolved = (because: 'hosts_nothing' | 'slot_has_own_order') =>
  [
    {
      type: 'GhostOrderDissolved',
      data: { ghostId: 'ghost:slot-herlev-mon-0800:9001', slotId: 'slot-herlev-mon-0800', legacyOid: 9001, because },
    },
    {
      type: 'DeadOrderFlagged',
      data: {
        orderId: 'ghost:slot-herlev-mon-0800:9001',
        slotId: 'slot-herlev-mon-0800',
        legacyOid: 9001,
        kind: 'ghost',
      },
    },
  ] as const;

describe('DeliveryDay order status', () => {
  describe('AcceptOrder', () => {
    it('accepts an ordered order', () => {
      spec
        .given([order1])
        .when(accept())
        .then([{ type: 'OrderAccepted', data: { orderId: 'order-1' } }]);
    });

    it('is idempotent: accepting twice changes nothing', () => {
      spec
        .given([order1, accepted('order-1')])
        .when(accept())
        .thenNothing();
    });

    it('accepts injection orders too', () => {
      spec
        .given([fetPlaced('inj-1', 2001)])
        .when(accept('inj-1'))
        .then([accepted('inj-1')]);
    });

    it('fails for an order that does not exist', () => {
      spec.given([]).when(accept()).thenThrows('ORDER_NOT_FOUND', { orderId: 'order-1' });
    });

    it('never turns a released order back, and never accepts a cancelled or rejected one', () => {
      spec
        .given([order1, accepted('order-1'), order1Released])
        .when(accept())
        .thenThrows('ORDER_RELEASED');
      spec
        .given([order1, cancelledBy('shop')])
        .when(accept())
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'cancelled', allowedStatuses: ['ordered'] });
      spec.given([order1, rejected]).when(accept()).thenThrows('ORDER_STATUS_FORBIDS', { status: 'rejected' });
    });
  });

  describe('RejectOrder', () => {
    it('rejects an ordered order with a reason', () => {
      spec.given([order1]).when(reject()).then([rejected]);
    });

    it('needs a reason', () => {
      spec
        .given([order1])
        .when(reject({ reason: ' ' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('rejects only ordered orders: accepted ones are cancelled instead', () => {
      spec
        .given([order1, accepted('order-1')])
        .when(reject())
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'accepted', allowedStatuses: ['ordered'] });
      spec
        .given([order1, accepted('order-1'), order1Released])
        .when(reject())
        .thenThrows('ORDER_RELEASED');
      spec
        .given([order1, cancelledBy('shop')])
        .when(reject())
        .thenThrows('ORDER_STATUS_FORBIDS');
    });

    it('rejecting twice changes nothing', () => {
      spec.given([order1, rejected]).when(reject()).thenNothing();
    });

    it("leaves a rejected host's moved-in orders to a ghost", () => {
      spec
        .given([order3At0800, order2, order2MovedTo0800])
        .when(reject({ orderId: 'order-3' }))
        .then([
          {
            type: 'OrderRejected',
            data: { orderId: 'order-3', previousStatus: 'ordered', reason: 'Cyclotron maintenance' },
          },
          ghostHostingOrder2,
        ]);
    });
  });

  describe('CancelOrder', () => {
    it('lets the shop withdraw its order while it is ordered and before the deadline', () => {
      spec
        .given([order1])
        .when(cancel())
        .then([cancelledBy('shop')]);
    });

    it('refuses the shop after the deadline', () => {
      spec
        .given([order1])
        .when(cancel({ now: tooLate }))
        .thenThrows('ORDER_DEADLINE_PASSED', { overridable: false });
    });

    it('refuses the shop once production has accepted the order', () => {
      spec
        .given([order1, accepted('order-1')])
        .when(cancel())
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'accepted', allowedStatuses: ['ordered'] });
    });

    it('lets production cancel an ordered or accepted order, also after the deadline', () => {
      spec
        .given([order1])
        .when(cancel({ actingAs: 'production', now: tooLate }))
        .then([cancelledBy('production')]);
      spec
        .given([order1, accepted('order-1')])
        .when(cancel({ actingAs: 'production', now: tooLate }))
        .then([cancelledBy('production', 'accepted')]);
    });

    it('never cancels a released order', () => {
      for (const actingAs of ['shop', 'production'] as const) {
        spec
          .given([order1, accepted('order-1'), order1Released])
          .when(cancel({ actingAs }))
          .thenThrows('ORDER_RELEASED', { status: 'released' });
      }
    });

    it('needs a reason', () => {
      spec
        .given([order1])
        .when(cancel({ reason: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('cancelling twice changes nothing', () => {
      spec
        .given([order1, cancelledBy('shop')])
        .when(cancel())
        .thenNothing();
    });

    it('fails for an order that does not exist', () => {
      spec
        .given([order1])
        .when(cancel({ orderId: 'order-9' }))
        .thenThrows('ORDER_NOT_FOUND');
    });

    it('dissolves a ghost whose only moved-in order is cancelled, and flags it dead', () => {
      spec
        .given([order2, order2MovedTo0800, ghostHostingOrder2])
        .when(cancel({ orderId: 'order-2', actingAs: 'production' }))
        .then([
          {
            type: 'OrderCancelled',
            data: {
              orderId: 'order-2',
              previousStatus: 'ordered',
              reason: 'Patient cancelled',
              actingAs: 'production',
            },
          },
          ...ghostDissolved('hosts_nothing'),
        ]);
    });

    it('gives the moved-in orders of a cancelled host a ghost', () => {
      spec
        .given([order3At0800, order2, order2MovedTo0800])
        .when(cancel({ orderId: 'order-3', actingAs: 'production' }))
        .then([
          {
            type: 'OrderCancelled',
            data: {
              orderId: 'order-3',
              previousStatus: 'ordered',
              reason: 'Patient cancelled',
              actingAs: 'production',
            },
          },
          ghostHostingOrder2,
        ]);
    });
  });

  describe('ReinstateOrder', () => {
    it('reinstates a cancelled order as accepted (4 → 2)', () => {
      spec
        .given([order1, cancelledBy('production')])
        .when(reinstate())
        .then([
          {
            type: 'OrderReinstated',
            data: { orderId: 'order-1', previousStatus: 'cancelled', reason: 'Cancelled by mistake' },
          },
        ]);
      const state = fold(deliveryDayDecider, [
        order1,
        cancelledBy('production'),
        { type: 'OrderReinstated', data: { orderId: 'order-1', previousStatus: 'cancelled', reason: 'Mistake' } },
      ]);
      expect(state.orders['order-1']?.status).toBe('accepted');
    });

    it('refuses an order whose booking an order of the day in force names now (ordered again meanwhile)', () => {
      const withBooking = (event: OrderPlaced, bookingIds: string[]): OrderPlaced => ({
        ...event,
        data: { ...event.data, order: { ...event.data.order, bookingIds } },
      });
      spec
        .given([
          withBooking(order1, ['booking-8', 'booking-9']),
          cancelledBy('production'),
          withBooking(fdgPlaced('order-2', 1002, at0800, 400), ['booking-8']),
        ])
        .when(reinstate())
        .thenThrows('BOOKING_ALREADY_ORDERED', { accessionNumber: 'booking-8', orderId: 'order-2' });
    });

    it('reinstates a rejected order', () => {
      spec
        .given([order1, rejected])
        .when(reinstate())
        .then([
          {
            type: 'OrderReinstated',
            data: { orderId: 'order-1', previousStatus: 'rejected', reason: 'Cancelled by mistake' },
          },
        ]);
    });

    it('reinstates only cancelled or rejected orders', () => {
      spec
        .given([order1])
        .when(reinstate())
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'ordered', allowedStatuses: ['rejected', 'cancelled'] });
      spec
        .given([order1, accepted('order-1'), order1Released])
        .when(reinstate())
        .thenThrows('ORDER_RELEASED');
    });

    it('given a moved order, then reinstating it counts nothing towards its ordered slot, which no longer delivers it', () => {
      // 10:30 takes at most 1500 MBq; order-1 (1000) is served from 09:00, so order-4 (1000) fitted
      const placedMeanwhile = fdgPlaced('order-4', 1004, at1030, 1000);
      const given = fold(deliveryDayDecider, [
        order1At1030,
        order1MovedTo0900,
        cancelledBy('production'),
        placedMeanwhile,
      ]);
      const events = deliveryDayDecider.decide(reinstate({}, slotNow(slot0900)), given);
      // Back at 09:00, where it has no order of its own to host it: a ghost again
      expect(events.map((event) => event.type)).toEqual(['OrderReinstated', 'GhostOrderCreated']);
    });

    it("reinstates an activity order only within its slot's maximum, which orders placed meanwhile count towards", () => {
      const placedMeanwhile = fdgPlaced('order-9', 1009, at0800, 600);
      spec
        .given([order1, cancelledBy('production'), placedMeanwhile])
        .when(reinstate({}, slotNow(slot0800With({ maxActivityMBq: 1500 }))))
        .thenThrows('SLOT_MAX_ACTIVITY_EXCEEDED', {
          slotId: 'slot-herlev-mon-0800',
          maxActivityMBq: 1500,
          orderedMBq: 1600,
        });
      spec
        .given([order1, cancelledBy('production'), placedMeanwhile])
        .when(reinstate({}, slotNow(slot0800With({ maxActivityMBq: 1600 }))))
        .then([
          {
            type: 'OrderReinstated',
            data: { orderId: 'order-1', previousStatus: 'cancelled', reason: 'Cancelled by mistake' },
          },
        ]);
    });

    it('needs a reason', () => {
      spec
        .given([order1, cancelledBy('shop')])
        .when(reinstate({ reason: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('dissolves the ghost when the reinstated order is the slot host again', () => {
      spec
        .given([
          order3At0800,
          order2,
          order2MovedTo0800,
          { ...cancelledBy('production'), data: { ...cancelledBy('production').data, orderId: 'order-3' } },
          ghostHostingOrder2,
        ])
        .when(reinstate({ orderId: 'order-3' }))
        .then([
          {
            type: 'OrderReinstated',
            data: { orderId: 'order-3', previousStatus: 'cancelled', reason: 'Cancelled by mistake' },
          },
          ...ghostDissolved('slot_has_own_order'),
        ]);
    });
  });

  describe('ReinstateOrder checks the slot it returns to (regression: a slot that no longer delivers took it back)', () => {
    const reinstated = (orderId = 'order-1') => ({
      type: 'OrderReinstated' as const,
      data: { orderId, previousStatus: 'cancelled' as const, reason: 'Cancelled by mistake' },
    });

    it('given Z cancelled and then its slot archived, when Z is reinstated, then the slot no longer delivers', () => {
      const archived = { ...slot0800, status: 'archived' } as typeof slot0800;
      spec
        .given([order1, cancelledBy('production')])
        .when(reinstate({}, slotNow(archived)))
        .thenThrows('SLOT_DOES_NOT_DELIVER', { slotId: 'slot-herlev-mon-0800', status: 'archived' });
    });

    it('given Z cancelled and then its slot expired, its run archived or the date closed, when Z is reinstated, then it is refused', () => {
      spec
        .given([order1, cancelledBy('production')])
        .when(reinstate({}, slotNow(slot0800With({ expiryDate: date }))))
        .thenThrows('SLOT_DOES_NOT_DELIVER', { expiryDate: date });
      spec
        .given([order1, cancelledBy('production')])
        .when(reinstate({}, slotNow(slot0800, archivedMondayRun)))
        .thenThrows('PRODUCTION_RUN_ARCHIVED');
      spec
        .given([order1, cancelledBy('production')])
        .when(reinstate({}, slotNow(), { dates: [date], weeklyCloseDays: 0 }))
        .thenThrows('DATE_CLOSED', { date });
    });

    it('given a moved order cancelled and then the slot it was moved to archived, when it is reinstated, then that slot is checked', () => {
      const archived0900 = { ...slot0900, status: 'archived' } as typeof slot0900;
      spec
        .given([order1At1030, order1MovedTo0900, cancelledBy('production')])
        .when(reinstate({}, slotNow(archived0900)))
        .thenThrows('SLOT_DOES_NOT_DELIVER', { slotId: 'slot-herlev-mon-0900' });
    });

    it('given a moved order cancelled and the slot it was moved to rescheduled, when it is reinstated, then its ghost stands at the slot as it is now', () => {
      const rescheduled0900 = slot0800With({ slotId: 'slot-herlev-mon-0900', deliveryTime: '09:10' });
      const events = deliveryDayDecider.decide(
        reinstate({}, slotNow(rescheduled0900)),
        fold(deliveryDayDecider, [order1At1030, order1MovedTo0900, cancelledBy('production')]),
      );
      expect(events[0]).toEqual(reinstated());
      expect(events[1]).toMatchObject({
        type: 'GhostOrderCreated',
        data: { slotId: 'slot-herlev-mon-0900', deliveryTime: '09:10' },
      });
    });

    it('given an injection order cancelled and then its date closed, when it is reinstated, then nothing is delivered that day', () => {
      const injectionCancelled = {
        ...cancelledBy('production'),
        data: { ...cancelledBy('production').data, orderId: 'inj-1' },
      };
      spec
        .given([fetPlaced('inj-1', 2001), injectionCancelled])
        .when(reinstate({ orderId: 'inj-1' }, null, { dates: [date], weeklyCloseDays: 0 }))
        .thenThrows('DATE_CLOSED', { date });
      spec
        .given([fetPlaced('inj-1', 2001), injectionCancelled])
        .when(reinstate({ orderId: 'inj-1' }, null))
        .then([reinstated('inj-1')]);
    });
  });

  describe('ChangeActivityOrder', () => {
    const change = (overrides: Partial<ChangeActivityOrder> = {}): ChangeActivityOrder => ({
      type: 'ChangeActivityOrder',
      ...day,
      orderId: 'order-1',
      actingAs: 'shop',
      deadlineOverrideReason: null,
      now: inTime,
      deadline: dailyDeadline,
      maxActivityMBq: null,
      ...overrides,
    });

    it('records the old and new activity and comment', () => {
      spec
        .given([order1])
        .when(change({ activityMBq: 1200, comment: 'Three patients' }))
        .then([
          {
            type: 'OrderActivityChanged',
            data: {
              orderId: 'order-1',
              activityMBq: { from: 1000, to: 1200 },
              comment: { from: null, to: 'Three patients' },
            },
          },
        ]);
    });

    it('clears a comment with an empty text', () => {
      spec
        .given([fdgPlaced('order-1', 1001, at0800, 1000, { comment: 'Two patients' })])
        .when(change({ comment: '' }))
        .then([
          { type: 'OrderActivityChanged', data: { orderId: 'order-1', comment: { from: 'Two patients', to: null } } },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([order1])
        .when(change({ activityMBq: 1000, comment: null }))
        .thenNothing();
    });

    it('changes only ordered orders', () => {
      spec
        .given([order1, accepted('order-1')])
        .when(change({ activityMBq: 1200 }))
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'accepted', allowedStatuses: ['ordered'] });
      spec
        .given([order1, accepted('order-1'), order1Released])
        .when(change({ activityMBq: 1200 }))
        .thenThrows('ORDER_RELEASED');
      spec
        .given([order1, cancelledBy('shop')])
        .when(change({ activityMBq: 1200 }))
        .thenThrows('ORDER_STATUS_FORBIDS');
    });

    it('keeps the activity positive', () => {
      spec
        .given([order1])
        .when(change({ activityMBq: 0 }))
        .thenThrows('INVALID_ACTIVITY', { field: 'activityMBq' });
    });

    it("keeps the slot's own orders within the slot maximum, counting the changed order once", () => {
      const order3 = fdgPlaced('order-3', 1003, at0800, 500);
      spec
        .given([order1, order3])
        .when(change({ activityMBq: 1100, maxActivityMBq: 1500 }))
        .thenThrows('SLOT_MAX_ACTIVITY_EXCEEDED', { maxActivityMBq: 1500, orderedMBq: 1600 });
      spec
        .given([order1, order3])
        .when(change({ activityMBq: 1000.5, maxActivityMBq: 1500.5 }))
        .then([
          { type: 'OrderActivityChanged', data: { orderId: 'order-1', activityMBq: { from: 1000, to: 1000.5 } } },
        ]);
    });

    it('refuses the shop after the deadline; production may still edit, saying why', () => {
      spec
        .given([order1])
        .when(change({ activityMBq: 1200, now: tooLate }))
        .thenThrows('ORDER_DEADLINE_PASSED', { overridable: false });
      spec
        .given([order1])
        .when(change({ activityMBq: 1200, now: tooLate, actingAs: 'shop', deadlineOverrideReason: 'Please' }))
        .thenThrows('ORDER_DEADLINE_PASSED', { overridable: false });
      spec
        .given([order1])
        .when(change({ activityMBq: 1200, now: tooLate, actingAs: 'production' }))
        .thenThrows('ORDER_DEADLINE_PASSED', { overridable: true });
      spec
        .given([order1])
        .when(
          change({ activityMBq: 1200, now: tooLate, actingAs: 'production', deadlineOverrideReason: 'Patient added' }),
        )
        .then([{ type: 'OrderActivityChanged', data: { orderId: 'order-1', activityMBq: { from: 1000, to: 1200 } } }]);
      spec
        .given([order1])
        .when(change({ activityMBq: 1200, now: tooLate, actingAs: 'production', deadlineOverrideReason: ' ' }))
        .thenThrows('FIELD_REQUIRED');
    });

    it('changes activity orders only', () => {
      spec
        .given([fetPlaced('inj-1', 2001)])
        .when(change({ orderId: 'inj-1', activityMBq: 1200 }))
        .thenThrows('NOT_AN_ACTIVITY_ORDER', { orderId: 'inj-1' });
    });
  });

  describe('ChangeInjectionOrder', () => {
    const change = (
      changes: ChangeInjectionOrder['changes'],
      overrides: Partial<ChangeInjectionOrder> = {},
    ): ChangeInjectionOrder => ({
      type: 'ChangeInjectionOrder',
      ...day,
      orderId: 'inj-1',
      changes,
      actingAs: 'shop',
      deadlineOverrideReason: null,
      now: { date: '2026-02-25', time: '09:00' },
      deadline: { kind: 'weekly', weekday: 4, time: '13:00' },
      maxInjections: 6,
      ...overrides,
    });
    const inj1 = fetPlaced('inj-1', 2001);

    it('records the old and new values of each changed field', () => {
      spec
        .given([inj1])
        .when(change({ injections: 5, usage: 'animal', deliveryTime: '12:00', comment: 'Mouse study' }))
        .then([
          {
            type: 'InjectionOrderChanged',
            data: {
              orderId: 'inj-1',
              changes: {
                injections: { from: 4, to: 5 },
                usage: { from: 'human', to: 'animal' },
                deliveryTime: { from: '11:15', to: '12:00' },
                comment: { from: null, to: 'Mouse study' },
              },
            },
          },
        ]);
    });

    it('changes nothing when the values are the same', () => {
      spec
        .given([inj1])
        .when(change({ injections: 4, usage: 'human', deliveryTime: '11:15' }))
        .thenNothing();
    });

    it('keeps injections between 1 and the catalogue maximum', () => {
      spec
        .given([inj1])
        .when(change({ injections: 0 }))
        .thenThrows('INVALID_INJECTIONS');
      spec
        .given([inj1])
        .when(change({ injections: 7 }))
        .thenThrows('MAX_INJECTIONS_EXCEEDED', { maxInjections: 6 });
    });

    it('refuses an unknown usage or an invalid time', () => {
      spec
        .given([inj1])
        .when(change({ usage: 'pets' as 'other' }))
        .thenThrows('INVALID_USAGE');
      spec
        .given([inj1])
        .when(change({ deliveryTime: '7:00' }))
        .thenThrows('INVALID_TIME');
    });

    it('changes only ordered orders', () => {
      spec
        .given([inj1, accepted('inj-1')])
        .when(change({ injections: 5 }))
        .thenThrows('ORDER_STATUS_FORBIDS', { status: 'accepted' });
    });

    it('refuses the shop after the deadline; production may still edit, saying why', () => {
      const late = { date: '2026-02-26', time: '13:01' };
      spec
        .given([inj1])
        .when(change({ injections: 5 }, { now: late }))
        .thenThrows('ORDER_DEADLINE_PASSED');
      spec
        .given([inj1])
        .when(change({ injections: 5 }, { now: late, actingAs: 'production' }))
        .thenThrows('ORDER_DEADLINE_PASSED', { overridable: true });
      spec
        .given([inj1])
        .when(change({ injections: 5 }, { now: late, actingAs: 'production', deadlineOverrideReason: 'Study moved' }))
        .then([
          { type: 'InjectionOrderChanged', data: { orderId: 'inj-1', changes: { injections: { from: 4, to: 5 } } } },
        ]);
    });

    it('changes injection orders only', () => {
      spec
        .given([order1])
        .when(change({ injections: 5 }, { orderId: 'order-1' }))
        .thenThrows('NOT_AN_INJECTION_ORDER');
    });
  });
});

describe('DeliveryDay orders made from worklist bookings', () => {
  /** The order as a mass order placed it, for two bookings. */
  const fromBookings = (placed: OrderPlaced): OrderPlaced => ({
    ...placed,
    data: { ...placed.data, order: { ...placed.data.order, bookingIds: ['ACC-1', 'ACC-2'] } },
  });
  const order1FromBookings = fromBookings(order1);
  const inj1FromBookings = fromBookings(fetPlaced('inj-1', 2001));
  const changeActivity = (actingAs: ActingAs, now = inTime): ChangeActivityOrder => ({
    type: 'ChangeActivityOrder',
    ...day,
    orderId: 'order-1',
    activityMBq: 1200,
    actingAs,
    now,
    deadline: dailyDeadline,
    maxActivityMBq: null,
    deadlineOverrideReason: null,
  });
  const changeInjections = (actingAs: ActingAs): ChangeInjectionOrder => ({
    type: 'ChangeInjectionOrder',
    ...day,
    orderId: 'inj-1',
    changes: { injections: 5 },
    actingAs,
    now: { date: '2026-02-25', time: '09:00' },
    deadline: { kind: 'weekly', weekday: 4, time: '13:00' },
    maxInjections: 6,
    deadlineOverrideReason: null,
  });
  const changed: OrderActivityChanged = {
    type: 'OrderActivityChanged',
    data: { orderId: 'order-1', activityMBq: { from: 1000, to: 1200 } },
  };

  it('given a shop member, then editing or withdrawing one is refused: it is the shop admin’s', () => {
    const refusal = { orderId: 'order-1', bookingIds: ['ACC-1', 'ACC-2'] };
    spec.given([order1FromBookings]).when(changeActivity('shop')).thenThrows('BOOKING_ORDER_NEEDS_SHOP_ADMIN', refusal);
    spec.given([order1FromBookings]).when(cancel()).thenThrows('BOOKING_ORDER_NEEDS_SHOP_ADMIN', refusal);
    spec.given([inj1FromBookings]).when(changeInjections('shop')).thenThrows('BOOKING_ORDER_NEEDS_SHOP_ADMIN');
    expect(() =>
      deliveryDayDecider.decide(changeActivity('shop'), fold(deliveryDayDecider, [order1FromBookings])),
    ).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });

  it('given a shop admin, then it edits and withdraws one, within the shop’s deadline and statuses', () => {
    spec.given([order1FromBookings]).when(changeActivity('shop-admin')).then([changed]);
    spec
      .given([inj1FromBookings])
      .when(changeInjections('shop-admin'))
      .then([
        { type: 'InjectionOrderChanged', data: { orderId: 'inj-1', changes: { injections: { from: 4, to: 5 } } } },
      ]);
    spec
      .given([order1FromBookings])
      .when(cancel({ actingAs: 'shop-admin' }))
      .then([
        {
          type: 'OrderCancelled',
          data: { orderId: 'order-1', previousStatus: 'ordered', reason: 'Patient cancelled', actingAs: 'shop-admin' },
        },
      ]);
    spec.given([order1FromBookings]).when(changeActivity('shop-admin', tooLate)).thenThrows('ORDER_DEADLINE_PASSED');
    spec
      .given([order1FromBookings, accepted('order-1')])
      .when(cancel({ actingAs: 'shop-admin' }))
      .thenThrows('ORDER_STATUS_FORBIDS');
  });

  it('given production, then it edits one as any other order', () => {
    spec
      .given([order1FromBookings])
      .when({ ...changeActivity('production', tooLate), deadlineOverrideReason: 'Study moved' })
      .then([changed]);
  });

  it('given its bookings ordered again on another day meanwhile, when the cancelled order is reinstated, then it is refused', () => {
    const cancelledFromBookings = [order1FromBookings, cancelledBy('production')];
    const orderedAgain = { accessionNumber: 'ACC-2', orderId: 'order-7', endpointId, date: '2026-03-09' };
    spec
      .given(cancelledFromBookings)
      .when(reinstate({ refs: { closedDays: openDays, activeSlot: slotNow(), bookingOrders: [orderedAgain] } }))
      .thenThrows('BOOKING_ALREADY_ORDERED', {
        accessionNumber: 'ACC-2',
        orderId: 'order-7',
        orderEndpointId: endpointId,
        orderDate: '2026-03-09',
      });
    // Bookings whose records still name this very order are its own to take back.
    const stillThis = { ...orderedAgain, orderId: 'order-1', date };
    spec
      .given(cancelledFromBookings)
      .when(reinstate({ refs: { closedDays: openDays, activeSlot: slotNow(), bookingOrders: [stillThis] } }))
      .then([
        {
          type: 'OrderReinstated',
          data: { orderId: 'order-1', previousStatus: 'cancelled', reason: 'Cancelled by mistake' },
        },
      ]);
  });

  it('given an order placed by hand, then a shop member edits it as before', () => {
    spec.given([order1]).when(changeActivity('shop')).then([changed]);
  });
});
