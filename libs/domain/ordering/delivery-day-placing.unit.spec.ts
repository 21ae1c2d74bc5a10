import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import {
  absent,
  activeFet,
  archivedFdg,
  archivedHerlev,
  archivedHerlevPet,
  archivedMondayRun,
} from '../catalog/catalog-examples';
import {
  deliveryDayDecider,
  deliveryDayId,
  deliveryDayStreamName,
  legacyStatusCode,
  type OrderCancelled,
} from './delivery-day';
import {
  accepted,
  activeCholine,
  activityRefs,
  at,
  at0800,
  at0900,
  at1030,
  cholinePermission,
  cholineRun,
  cholineSlot0815,
  dailyDeadline,
  date,
  endpointId,
  fdgNotInUse,
  fdgPermissionRevoked,
  fdgPermissionWithoutOverride,
  fdgPlaced,
  fetPermission,
  fetPlaced,
  fetRun,
  fetSlot0800,
  ghostAt0900,
  injectionRefs,
  inTime,
  order1At1030,
  order1MovedTo0900,
  order3At0800,
  otherEndpointSlot,
  placeFdg,
  placeFet,
  secondMondayRun,
  slot0800,
  slot0800With,
  slot0900,
  slot1030With,
  tooLate,
} from './ordering-examples';

const spec = specFor(deliveryDayDecider);
const order1At0800 = fdgPlaced('order-1', 1001, at0800, 1000);

describe('DeliveryDay', () => {
  it('lives in the stream ordering.deliveryDay-<endpoint>:<date>', () => {
    expect(deliveryDayId('ep-herlev-pet', date)).toBe('ep-herlev-pet:2026-03-02');
    expect(deliveryDayStreamName('ep/1', date)).toBe('ordering.deliveryDay-ep%2F1:2026-03-02');
  });

  it('keeps the legacy status codes 1 ordered, 2 accepted, 3 released, 4 rejected or cancelled', () => {
    expect(legacyStatusCode).toEqual({ ordered: 1, accepted: 2, released: 3, rejected: 4, cancelled: 4 });
  });

  it('refuses a command meant for another endpoint or date', () => {
    expect(() =>
      deliveryDayDecider.decide(placeFdg({ date: '2026-03-09' }), fold(deliveryDayDecider, [order1At0800])),
    ).toThrow('reached the stream of another day');
  });

  describe('PlaceActivityOrder', () => {
    it('places an order in a slot that delivers that day, with the slot, run and legacy ids', () => {
      spec.given([]).when(placeFdg()).then([order1At0800]);
    });

    it("takes the catalogue page's overhead, else the customer's percent", () => {
      const placed = deliveryDayDecider.decide(
        placeFdg({ refs: { ...activityRefs(), permission: fdgPermissionWithoutOverride } }),
        fold(deliveryDayDecider, []),
      );
      expect(placed[0]).toMatchObject({ data: { order: { overheadPercent: 15 } } });
    });

    it('keeps the comment and the bookings it came from', () => {
      const placed = deliveryDayDecider.decide(
        placeFdg({ comment: 'Two patients', bookingIds: ['booking-7'] }),
        fold(deliveryDayDecider, []),
      );
      expect(placed[0]).toMatchObject({ data: { order: { comment: 'Two patients', bookingIds: ['booking-7'] } } });
    });

    describe('its bookings', () => {
      const placedFor = (orderId: string, legacyOid: number, bookingIds: string[]) =>
        deliveryDayDecider.decide(placeFdg({ orderId, legacyOid, bookingIds }), fold(deliveryDayDecider, []));

      it('may not be ordered already by an order of the day in force (two mass orders racing)', () => {
        spec
          .given(placedFor('order-1', 1001, ['booking-7', 'booking-8']))
          .when(placeFdg({ orderId: 'order-2', legacyOid: 1002, bookingIds: ['booking-9', 'booking-8'] }))
          .thenThrows('BOOKING_ALREADY_ORDERED', { accessionNumber: 'booking-8', orderId: 'order-1' });
      });

      it('may be ordered again once the order that named them was cancelled', () => {
        const given = placedFor('order-1', 1001, ['booking-8']);
        const cancelled = deliveryDayDecider.decide(
          {
            type: 'CancelOrder',
            endpointId,
            date,
            at,
            orderId: 'order-1',
            reason: 'Booking moved',
            actingAs: 'production',
            now: inTime,
            deadline: dailyDeadline,
            ghostLegacyOid: 9001,
          },
          fold(deliveryDayDecider, given),
        );
        const placed = deliveryDayDecider.decide(
          placeFdg({ orderId: 'order-2', legacyOid: 1002, bookingIds: ['booking-8'] }),
          fold(deliveryDayDecider, [...given, ...cancelled]),
        );
        expect(placed.map((event) => event.type)).toEqual(['OrderPlaced']);
      });
    });

    describe('the slot', () => {
      it('must exist', () => {
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), slot: absent } }))
          .thenThrows('DELIVERY_TIME_SLOT_NOT_FOUND', { slotId: 'slot-herlev-mon-0800' });
      });

      it("must be the ordering endpoint's slot", () => {
        spec
          .given([])
          .when(placeFdg({ slotId: 'slot-herlev-nuk-mon-0700', refs: activityRefs(otherEndpointSlot) }))
          .thenThrows('SLOT_OF_ANOTHER_ENDPOINT', { slotId: 'slot-herlev-nuk-mon-0700', endpointId: 'ep-herlev-pet' });
      });

      it('must be served by an active production run', () => {
        spec
          .given([])
          .when(placeFdg({ refs: activityRefs(slot0800, archivedMondayRun) }))
          .thenThrows('PRODUCTION_RUN_ARCHIVED');
      });

      it("delivers only on its run's weekday", () => {
        spec
          .given([])
          .when(placeFdg({ date: '2026-03-03' }))
          .thenThrows('SLOT_DOES_NOT_DELIVER', { weekday: 1, dateWeekday: 2 });
      });

      it('delivers in even ISO weeks only when it repeats in even weeks (2026-03-02 is in week 10)', () => {
        spec
          .given([])
          .when(placeFdg({ refs: activityRefs(slot0800With({ repeat: 'odd' })) }))
          .thenThrows('SLOT_DOES_NOT_DELIVER', { repeat: 'odd' });
        const placed = deliveryDayDecider.decide(
          placeFdg({ refs: activityRefs(slot0800With({ repeat: 'even' })) }),
          fold(deliveryDayDecider, []),
        );
        expect(placed.map((event) => event.type)).toEqual(['OrderPlaced']);
      });

      it('delivers an odd-week slot two weeks running across a 53-week year (2026-W53, 2027-W01)', () => {
        const oddSlot = activityRefs(slot0800With({ repeat: 'odd' }));
        for (const monday of ['2026-12-28', '2027-01-04']) {
          const placed = deliveryDayDecider.decide(
            placeFdg({ date: monday, refs: oddSlot }),
            fold(deliveryDayDecider, []),
          );
          expect(placed).toHaveLength(1);
        }
        spec
          .given([])
          .when(placeFdg({ date: '2026-12-28', refs: activityRefs(slot0800With({ repeat: 'even' })) }))
          .thenThrows('SLOT_DOES_NOT_DELIVER');
      });

      it('no longer delivers on or after its expiry date', () => {
        spec
          .given([])
          .when(placeFdg({ refs: activityRefs(slot0800With({ expiryDate: date })) }))
          .thenThrows('SLOT_DOES_NOT_DELIVER', { expiryDate: date });
        const placed = deliveryDayDecider.decide(
          placeFdg({ refs: activityRefs(slot0800With({ expiryDate: '2026-03-03' })) }),
          fold(deliveryDayDecider, []),
        );
        expect(placed).toHaveLength(1);
      });

      it('does not deliver on a closed date', () => {
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), closedDays: { dates: [date], weeklyCloseDays: 0 } } }))
          .thenThrows('DATE_CLOSED', { date });
      });

      it('does not deliver on a weekly close day (bit 0 = Monday)', () => {
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), closedDays: { dates: [], weeklyCloseDays: 0b1 } } }))
          .thenThrows('DATE_CLOSED');
        const placed = deliveryDayDecider.decide(
          placeFdg({ refs: { ...activityRefs(), closedDays: { dates: [], weeklyCloseDays: 0b110_0000 } } }),
          fold(deliveryDayDecider, []),
        );
        expect(placed).toHaveLength(1);
      });
    });

    describe('the deadline', () => {
      it('is still met in the deadline minute itself (daily: 13:00 the day before)', () => {
        spec
          .given([])
          .when(placeFdg({ now: { date: '2026-03-01', time: '13:00' } }))
          .then([order1At0800]);
      });

      it('refuses a shop order after the daily deadline', () => {
        spec
          .given([])
          .when(placeFdg({ now: tooLate }))
          .thenThrows('ORDER_DEADLINE_PASSED', {
            date,
            deadline: { kind: 'daily', time: '13:00' },
            now: tooLate,
            overridable: false,
          });
      });

      it('refuses a shop order after the weekly deadline (Thursday 13:00 before a Monday delivery)', () => {
        const weekly = { kind: 'weekly', weekday: 4, time: '13:00' } as const;
        spec
          .given([])
          .when(placeFdg({ deadline: weekly, now: { date: '2026-02-26', time: '13:01' } }))
          .thenThrows('ORDER_DEADLINE_PASSED');
        spec
          .given([])
          .when(placeFdg({ deadline: weekly, now: { date: '2026-02-26', time: '12:59' } }))
          .then([order1At0800]);
      });

      it('lets production order after the deadline with a reason, and records the reason', () => {
        spec
          .given([])
          .when(placeFdg({ now: tooLate, actingAs: 'production', deadlineOverrideReason: 'Extra patient' }))
          .then([fdgPlaced('order-1', 1001, at0800, 1000, { deadlineOverrideReason: 'Extra patient' })]);
      });

      it('refuses production after the deadline without a reason, saying it could override', () => {
        spec
          .given([])
          .when(placeFdg({ now: tooLate, actingAs: 'production' }))
          .thenThrows('ORDER_DEADLINE_PASSED', { overridable: true });
        spec
          .given([])
          .when(placeFdg({ now: tooLate, actingAs: 'production', deadlineOverrideReason: '  ' }))
          .thenThrows('FIELD_REQUIRED', { field: 'reason' });
      });

      it('refuses the shop an override: the reason does not help', () => {
        spec
          .given([])
          .when(placeFdg({ now: tooLate, deadlineOverrideReason: 'Extra patient' }))
          .thenThrows('ORDER_DEADLINE_PASSED', { overridable: false });
      });

      it('records no override reason for an order placed in time', () => {
        spec
          .given([])
          .when(placeFdg({ actingAs: 'production', deadlineOverrideReason: 'Extra patient' }))
          .then([order1At0800]);
      });
    });

    describe('the ordering parties', () => {
      it('needs a catalogue page for the endpoint and tracer', () => {
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), permission: absent } }))
          .thenThrows('TRACER_NOT_PERMITTED', { endpointId: 'ep-herlev-pet', tracerId: 'tracer-fdg' });
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), permission: fdgPermissionRevoked } }))
          .thenThrows('TRACER_NOT_PERMITTED');
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), permission: fetPermission } }))
          .thenThrows('TRACER_NOT_PERMITTED');
      });

      it('orders activity tracers only: an injection tracer is ordered as injections', () => {
        spec
          .given([])
          .when(
            placeFdg({
              slotId: 'slot-herlev-mon-fet-0800',
              refs: { ...activityRefs(fetSlot0800, fetRun), tracer: activeFet, permission: fetPermission },
            }),
          )
          .thenThrows('NOT_AN_ACTIVITY_TRACER', { tracerId: 'tracer-fet' });
      });

      it("orders the slot's run's tracer", () => {
        const placed = deliveryDayDecider.decide(
          placeFdg({
            slotId: 'slot-herlev-mon-fch-0815',
            refs: {
              ...activityRefs(cholineSlot0815, cholineRun),
              tracer: activeCholine,
              permission: cholinePermission,
            },
          }),
          fold(deliveryDayDecider, []),
        );
        expect(placed[0]).toMatchObject({ data: { order: { tracerId: 'tracer-fch', deliveryTime: '08:15' } } });
      });

      it('refuses a tracer that is archived, and the shop a tracer that is not in use', () => {
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), tracer: archivedFdg } }))
          .thenThrows('TRACER_NOT_ORDERABLE');
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), tracer: fdgNotInUse } }))
          .thenThrows('TRACER_NOT_ORDERABLE');
        const placed = deliveryDayDecider.decide(
          placeFdg({ actingAs: 'production', refs: { ...activityRefs(), tracer: fdgNotInUse } }),
          fold(deliveryDayDecider, []),
        );
        expect(placed).toHaveLength(1);
      });

      it('refuses an archived endpoint or customer', () => {
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), endpoint: archivedHerlevPet } }))
          .thenThrows('DELIVERY_ENDPOINT_ARCHIVED');
        spec
          .given([])
          .when(placeFdg({ refs: { ...activityRefs(), customer: archivedHerlev } }))
          .thenThrows('CUSTOMER_ARCHIVED');
      });
    });

    describe('the activity', () => {
      it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 1_000_001])(
        'must be positive: %p is refused',
        (activityMBq) => {
          spec.given([]).when(placeFdg({ activityMBq })).thenThrows('INVALID_ACTIVITY', { field: 'activityMBq' });
        },
      );

      it("keeps the sum of the slot's own orders within the slot's maximum", () => {
        const limited = activityRefs(slot0800With({ maxActivityMBq: 1500 }));
        const order3 = fdgPlaced('order-3', 1003, at0800, 1000);
        spec
          .given([order3])
          .when(placeFdg({ activityMBq: 600, refs: limited }))
          .thenThrows('SLOT_MAX_ACTIVITY_EXCEEDED', {
            slotId: 'slot-herlev-mon-0800',
            maxActivityMBq: 1500,
            orderedMBq: 1600,
          });
        spec
          .given([order3])
          .when(placeFdg({ activityMBq: 500, refs: limited }))
          .then([fdgPlaced('order-1', 1001, at0800, 500)]);
      });

      it('does not count cancelled orders against the maximum', () => {
        const cancelled: OrderCancelled = {
          type: 'OrderCancelled',
          data: { orderId: 'order-3', previousStatus: 'ordered', reason: 'Scanner down', actingAs: 'shop' },
        };
        spec
          .given([fdgPlaced('order-3', 1003, at0800, 1000), cancelled])
          .when(placeFdg({ activityMBq: 1500, refs: activityRefs(slot0800With({ maxActivityMBq: 1500 })) }))
          .then([fdgPlaced('order-1', 1001, at0800, 1500)]);
      });
    });

    describe('idempotence', () => {
      it('placing the same order again changes nothing', () => {
        spec.given([order1At0800]).when(placeFdg()).thenNothing();
      });

      it('refuses other values under an existing order id', () => {
        spec
          .given([order1At0800])
          .when(placeFdg({ activityMBq: 1200 }))
          .thenThrows('ORDER_EXISTS', { orderId: 'order-1' });
        spec
          .given([order1At0800])
          .when(placeFdg({ slotId: 'slot-herlev-mon-0900', refs: activityRefs(slot0900) }))
          .thenThrows('ORDER_EXISTS');
      });
    });

    describe('ghost orders', () => {
      it('dissolves the ghost of a slot when the slot gets an order of its own, and flags the ghost dead', () => {
        spec
          .given([order1At1030, order1MovedTo0900, ghostAt0900])
          .when(
            placeFdg({
              orderId: 'order-2',
              legacyOid: 1002,
              slotId: 'slot-herlev-mon-0900',
              activityMBq: 500,
              refs: activityRefs(slot0900),
            }),
          )
          .then([
            fdgPlaced('order-2', 1002, at0900, 500),
            {
              type: 'GhostOrderDissolved',
              data: {
                ghostId: 'ghost:slot-herlev-mon-0900:9001',
                slotId: 'slot-herlev-mon-0900',
                legacyOid: 9001,
                because: 'slot_has_own_order',
              },
            },
            {
              type: 'DeadOrderFlagged',
              data: {
                orderId: 'ghost:slot-herlev-mon-0900:9001',
                slotId: 'slot-herlev-mon-0900',
                legacyOid: 9001,
                kind: 'ghost',
              },
            },
          ]);
      });

      it('leaves a ghost alone when the new order goes to another slot', () => {
        spec
          .given([order1At1030, order1MovedTo0900, ghostAt0900])
          .when(placeFdg({ orderId: 'order-3', legacyOid: 1003, activityMBq: 800 }))
          .then([order3At0800]);
      });

      it("an order moved away no longer counts against its ordered slot's maximum", () => {
        const placed = deliveryDayDecider.decide(
          placeFdg({
            orderId: 'order-4',
            legacyOid: 1004,
            slotId: 'slot-herlev-mon-1030',
            refs: activityRefs(slot1030With({ maxActivityMBq: 1000 }), secondMondayRun),
          }),
          fold(deliveryDayDecider, [order1At1030, accepted('order-1'), order1MovedTo0900, ghostAt0900]),
        );
        expect(placed).toEqual([fdgPlaced('order-4', 1004, at1030, 1000)]);
      });
    });
  });

  describe('PlaceInjectionOrder', () => {
    it('may not name a booking an order of the day in force already names', () => {
      const given = deliveryDayDecider.decide(placeFet({ bookingIds: ['booking-3'] }), fold(deliveryDayDecider, []));
      spec
        .given(given)
        .when(placeFet({ orderId: 'inj-2', legacyOid: 2002, bookingIds: ['booking-3'] }))
        .thenThrows('BOOKING_ALREADY_ORDERED', { accessionNumber: 'booking-3', orderId: 'inj-1' });
    });

    it('places an injection order at a free time of day', () => {
      spec
        .given([])
        .when(placeFet())
        .then([fetPlaced('inj-1', 2001)]);
    });

    it('orders injection tracers only', () => {
      spec
        .given([])
        .when(
          placeFet({
            tracerId: 'tracer-fdg',
            refs: { ...injectionRefs(), tracer: activityRefs().tracer, permission: activityRefs().permission },
          }),
        )
        .thenThrows('NOT_AN_INJECTION_TRACER', { tracerId: 'tracer-fdg' });
    });

    it('needs a catalogue page for the endpoint and tracer', () => {
      spec
        .given([])
        .when(placeFet({ refs: { ...injectionRefs(), permission: absent } }))
        .thenThrows('TRACER_NOT_PERMITTED');
    });

    it.each([0, -1, 2.5, 128])('needs at least one whole injection: %p is refused', (injections) => {
      spec.given([]).when(placeFet({ injections })).thenThrows('INVALID_INJECTIONS', { field: 'injections' });
    });

    it("allows at most the catalogue page's maximum injections", () => {
      spec
        .given([])
        .when(placeFet({ injections: 7 }))
        .thenThrows('MAX_INJECTIONS_EXCEEDED', { maxInjections: 6 });
      spec
        .given([])
        .when(placeFet({ injections: 6 }))
        .then([fetPlaced('inj-1', 2001, 6)]);
    });

    it('knows the usages human, animal and other', () => {
      spec
        .given([])
        .when(placeFet({ usage: 'veterinary' as 'animal' }))
        .thenThrows('INVALID_USAGE', { field: 'usage' });
      const placed = deliveryDayDecider.decide(placeFet({ usage: 'animal' }), fold(deliveryDayDecider, []));
      expect(placed[0]).toMatchObject({ data: { order: { usage: 'animal' } } });
    });

    it('is not delivered on a closed date or a weekly close day', () => {
      spec
        .given([])
        .when(placeFet({ refs: { ...injectionRefs(), closedDays: { dates: [date], weeklyCloseDays: 0 } } }))
        .thenThrows('DATE_CLOSED', { date });
      spec
        .given([])
        .when(placeFet({ refs: { ...injectionRefs(), closedDays: { dates: [], weeklyCloseDays: 0b1 } } }))
        .thenThrows('DATE_CLOSED', { date });
    });

    it('refuses an invalid delivery time', () => {
      spec
        .given([])
        .when(placeFet({ deliveryTime: '25:00' }))
        .thenThrows('INVALID_TIME', { field: 'deliveryTime' });
    });

    it('keeps the weekly deadline (Thursday 13:00 before a Monday), which production may override with a reason', () => {
      const lateThursday = { date: '2026-02-26', time: '13:01' };
      spec
        .given([])
        .when(placeFet({ now: lateThursday }))
        .thenThrows('ORDER_DEADLINE_PASSED');
      const placed = deliveryDayDecider.decide(
        placeFet({ now: lateThursday, actingAs: 'production', deadlineOverrideReason: 'Study patient added' }),
        fold(deliveryDayDecider, []),
      );
      expect(placed[0]).toMatchObject({ data: { deadlineOverrideReason: 'Study patient added' } });
    });

    it('placing the same order again changes nothing; other values under its id are refused', () => {
      spec
        .given([fetPlaced('inj-1', 2001)])
        .when(placeFet())
        .thenNothing();
      for (const other of [{ injections: 5 }, { usage: 'animal' as const }, { deliveryTime: '13:15' }]) {
        spec
          .given([fetPlaced('inj-1', 2001)])
          .when(placeFet(other))
          .thenThrows('ORDER_EXISTS', { orderId: 'inj-1' });
      }
    });

    it('an activity order id cannot be reused for an injection order', () => {
      spec
        .given([order1At0800])
        .when(placeFet({ orderId: 'order-1' }))
        .thenThrows('ORDER_EXISTS');
    });
  });
});
