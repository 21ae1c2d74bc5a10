import { fold } from '../kernel';
import { specFor } from '../kernel/decider-spec';
import { absent, activeFdg, activeFet, activeHerlev, activeMondayRun } from '../catalog/catalog-examples';
import {
  deliveryDayDecider,
  type CorrectRelease,
  type InjectionOrdersReleased,
  type MoveOrderToSlot,
  type OrderCancelled,
  type OrderPlaced,
  type ReleaseInjectionOrders,
  type ReleasedOrderCorrected,
  type ReleaseSlot,
} from './delivery-day';
import {
  accepted,
  activityRefs,
  activityReleased,
  at,
  at0800,
  at0900,
  at1030,
  date,
  endpointId,
  fdgPlaced,
  fdgVial1,
  fdgVial2,
  fetPlaced,
  ghostAt0900,
  order1At1030,
  order1MovedTo0900,
  order1ReleasedAt0900Ghost,
  openDays,
  peter,
  placeFdg,
  releasedVial,
  secondMondayRun,
  slot0800,
  slot0900,
  slot1030,
  timeZone,
  vialDispensed,
  vialState,
} from './ordering-examples';
import { type VialDispensed } from './vial';

const spec = specFor(deliveryDayDecider);
const day = { endpointId, date, at };

const order1 = fdgPlaced('order-1', 1001, at0800, 1000);
const order3 = fdgPlaced('order-3', 1003, at0800, 800);
const vialEntry = (vial: VialDispensed, extraRowLegacyOid: number, state = vialState(vial)) => ({
  vialId: vial.data.vialId,
  state,
  extraRowLegacyOid,
});
const releaseSlot = (overrides: Partial<ReleaseSlot> = {}): ReleaseSlot => ({
  type: 'ReleaseSlot',
  ...day,
  releaseId: 'release-1',
  slotId: 'slot-herlev-mon-0800',
  orderIds: ['order-1', 'order-3'],
  vials: [vialEntry(fdgVial1, 7001), vialEntry(fdgVial2, 7002)],
  releasedBy: peter,
  signatureMeaning: 'release',
  releaseRightTracerIds: [activeFdg.status === 'absent' ? '' : activeFdg.id],
  today: date,
  confirmOtherDate: false,
  refs: { tracer: activeFdg, customer: activeHerlev },
  ...overrides,
});
const twoOrdersAccepted = [order1, order3, accepted('order-1'), accepted('order-3')];
const released0800 = activityReleased(
  'release-1',
  'slot-herlev-mon-0800',
  ['order-1', 'order-3'],
  [releasedVial(fdgVial1, null), releasedVial(fdgVial2, 7002)],
);

const fetOrder2: OrderPlaced = fetPlaced('inj-2', 2002, 2);
const releaseInjections = (overrides: Partial<ReleaseInjectionOrders> = {}): ReleaseInjectionOrders => ({
  type: 'ReleaseInjectionOrders',
  ...day,
  releaseId: 'release-inj-1',
  orderIds: ['inj-1', 'inj-2'],
  lot: 'FET-260302-1',
  releasedBy: peter,
  signatureMeaning: 'release',
  releaseRightTracerIds: ['tracer-fet'],
  refs: { tracer: activeFet },
  ...overrides,
});
const injectionsAccepted = [fetPlaced('inj-1', 2001), fetOrder2, accepted('inj-1'), accepted('inj-2')];
const injectionsReleased = (
  lot = 'FET-260302-1',
  maxInjectionVolumeMl: number | null = null,
): InjectionOrdersReleased => ({
  type: 'InjectionOrdersReleased',
  data: {
    releaseId: 'release-inj-1',
    tracerId: 'tracer-fet',
    orderIds: ['inj-1', 'inj-2'],
    lot,
    releasedBy: peter,
    maxInjectionVolumeMl,
  },
});

const correct = (overrides: Partial<CorrectRelease> = {}): CorrectRelease => ({
  type: 'CorrectRelease',
  ...day,
  releaseId: 'release-1',
  reason: 'Wrong vial: FDG-260302-2 went to Rigshospitalet',
  signatureMeaning: 'correct',
  ...overrides,
});
const corrected0800: ReleasedOrderCorrected = {
  type: 'ReleasedOrderCorrected',
  data: {
    releaseId: 'release-1',
    orderIds: ['order-1', 'order-3'],
    reason: 'Wrong vial: FDG-260302-2 went to Rigshospitalet',
    old: {
      status: 'released',
      vials: [releasedVial(fdgVial1, null), releasedVial(fdgVial2, 7002)],
      lot: 'FDG-260302-1',
      releasedBy: peter,
    },
    new: { status: 'accepted', vials: [], lot: null, releasedBy: null },
  },
};

describe('DeliveryDay releases', () => {
  describe('ReleaseSlot', () => {
    it("releases the slot's accepted orders with their vials; only vials after the first get a legacy extra-vial row", () => {
      spec.given(twoOrdersAccepted).when(releaseSlot()).then([released0800]);
      expect(released0800.data.deliveredActivityMBq).toBe(3700);
    });

    it('marks the orders released under the release', () => {
      const state = fold(deliveryDayDecider, [...twoOrdersAccepted, released0800]);
      expect(state.orders['order-1']).toMatchObject({ status: 'released', releaseId: 'release-1' });
      expect(state.releases['release-1']).toMatchObject({ status: 'released', lot: 'FDG-260302-1' });
    });

    it('refuses a signer without a valid release right for the tracer (checked on every release path)', () => {
      specFor(deliveryDayDecider)
        .given(twoOrdersAccepted)
        .when(releaseSlot({ releaseRightTracerIds: ['tracer-fet'] }))
        .thenThrows('NO_RELEASE_RIGHT');
      specFor(deliveryDayDecider)
        .given(injectionsAccepted)
        .when(releaseInjections({ releaseRightTracerIds: [] }))
        .thenThrows('NO_RELEASE_RIGHT');
    });

    it('needs an electronic signature meaning "release"', () => {
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ signatureMeaning: null }))
        .thenThrows('SIGNATURE_REQUIRED', { expected: 'release', given: null });
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ signatureMeaning: 'correct' }))
        .thenThrows('SIGNATURE_REQUIRED', { given: 'correct' });
    });

    it('releases accepted orders only', () => {
      spec
        .given([order1, order3, accepted('order-1')])
        .when(releaseSlot())
        .thenThrows('ORDER_STATUS_FORBIDS', { orderId: 'order-3', status: 'ordered', allowedStatuses: ['accepted'] });
    });

    it('releases orders delivered from that slot only', () => {
      spec
        .given([...twoOrdersAccepted, fdgPlaced('order-2', 1002, at0900, 500), accepted('order-2')])
        .when(releaseSlot({ orderIds: ['order-1', 'order-2'] }))
        .thenThrows('ORDER_NOT_IN_SLOT', { orderId: 'order-2', slotId: 'slot-herlev-mon-0800' });
    });

    it('releases a moved order in the slot it was moved to, naming the ghost that hosts it', () => {
      spec
        .given([order1At1030, accepted('order-1'), order1MovedTo0900, ghostAt0900])
        .when(
          releaseSlot({ slotId: 'slot-herlev-mon-0900', orderIds: ['order-1'], vials: [vialEntry(fdgVial1, 7001)] }),
        )
        .then([order1ReleasedAt0900Ghost]);
      spec
        .given([order1At1030, accepted('order-1'), order1MovedTo0900, ghostAt0900])
        .when(releaseSlot({ slotId: 'slot-herlev-mon-1030', orderIds: ['order-1'] }))
        .thenThrows('ORDER_NOT_IN_SLOT');
    });

    it('needs at least one order and one vial, each named once', () => {
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ orderIds: [] }))
        .thenThrows('NO_ORDERS');
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [] }))
        .thenThrows('NO_VIALS');
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ orderIds: ['order-1', 'order-1'] }))
        .thenThrows('DUPLICATE_IN_RELEASE');
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(fdgVial1, 7001), vialEntry(fdgVial1, 7002)] }))
        .thenThrows('DUPLICATE_IN_RELEASE');
    });

    it('releases vials that have been dispensed', () => {
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(fdgVial1, 7001, absent)] }))
        .thenThrows('VIAL_NOT_FOUND', { vialId: fdgVial1.data.vialId });
    });

    it('releases unassigned vials only', () => {
      const assigned = vialState(fdgVial2, {
        type: 'VialAssigned',
        data: { vialId: fdgVial2.data.vialId, releaseId: 'release-0', streamId: 'ordering.deliveryDay-x' },
      });
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(fdgVial1, 7001), vialEntry(fdgVial2, 7002, assigned)] }))
        .thenThrows('VIAL_ALREADY_ASSIGNED', { vialId: fdgVial2.data.vialId, releaseId: 'release-0' });
    });

    it('releases no voided vial', () => {
      const voided = vialState(fdgVial2, {
        type: 'VialVoided',
        data: { vialId: fdgVial2.data.vialId, reason: 'Fill time mistyped' },
      });
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(fdgVial1, 7001), vialEntry(fdgVial2, 7002, voided)] }))
        .thenThrows('VIAL_VOIDED', { vialId: fdgVial2.data.vialId, voidReason: 'Fill time mistyped' });
    });

    it("releases vials of the orders' tracer: the lot prefix is the tracer's vial tag", () => {
      const cholineVial = vialDispensed('FCH-260302-1', '09:50:00', 5003);
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(fdgVial1, 7001), vialEntry(cholineVial, 7002)] }))
        .thenThrows('VIAL_OF_ANOTHER_TRACER', { lot: 'FCH-260302-1', vialTag: 'FDG' });
    });

    it("releases vials dispensed for the orders' customer: the dispenser number is the customer's", () => {
      const qcVial = vialDispensed('FDG-260302-3', '09:55:00', 5004, { dispenserNumber: 99 });
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(qcVial, 7001)] }))
        .thenThrows('VIAL_OF_ANOTHER_CUSTOMER', { dispenserNumber: 99, expected: 2 });
    });

    it('refuses a vial whose lot names no real date (TAG-YYMMDD-n)', () => {
      const month13 = vialDispensed('FDG-261399-1', '09:50:00', 5003);
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ vials: [vialEntry(month13, 7001)], confirmOtherDate: true }))
        .thenThrows('INVALID_LOT_NUMBER', { vialId: month13.data.vialId, lot: 'FDG-261399-1' });
    });

    it('releases a vial filled, or of a lot dated, on another day than the delivery only with an explicit confirmation', () => {
      // A spare filled on 2026-02-21, and a vial of a lot dated 2026-02-21 filled on the day
      const spare = vialDispensed('FDG-260221-4', '09:50:00', 5003, { fillDate: '2026-02-21' });
      const oldLot = vialDispensed('FDG-260221-5', '09:52:00', 5004);
      for (const vial of [spare, oldLot]) {
        spec
          .given(twoOrdersAccepted)
          .when(releaseSlot({ vials: [vialEntry(vial, 7001)] }))
          .thenThrows('VIAL_OF_ANOTHER_DAY', {
            vialId: vial.data.vialId,
            fillDate: vial.data.fillDate,
            lotDate: '2026-02-21',
            date,
          });
        spec
          .given(twoOrdersAccepted)
          .when(releaseSlot({ vials: [vialEntry(vial, 7001)], confirmOtherDate: true }))
          .then([
            activityReleased('release-1', 'slot-herlev-mon-0800', ['order-1', 'order-3'], [releasedVial(vial, null)]),
          ]);
      }
    });

    it('releases another day than today only with an explicit confirmation', () => {
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ today: '2026-03-03' }))
        .thenThrows('RELEASE_DATE_NOT_TODAY', { date, today: '2026-03-03' });
      spec
        .given(twoOrdersAccepted)
        .when(releaseSlot({ today: '2026-03-03', confirmOtherDate: true }))
        .then([released0800]);
    });

    it('is idempotent by release id: repeating the release changes nothing', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(releaseSlot())
        .thenNothing();
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(releaseSlot({ orderIds: ['order-3', 'order-1'] }))
        .thenNothing();
    });

    it('refuses a release id repeated with other orders or vials: it is not the same release', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(releaseSlot({ orderIds: ['order-1'] }))
        .thenThrows('RELEASE_EXISTS', { releaseId: 'release-1' });
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(releaseSlot({ vials: [vialEntry(fdgVial1, 7001)] }))
        .thenThrows('RELEASE_EXISTS', { releaseId: 'release-1' });
    });

    it('refuses a release id that recorded another slot, and a second release of a released slot', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(releaseSlot({ slotId: 'slot-herlev-mon-0900' }))
        .thenThrows('RELEASE_EXISTS', { releaseId: 'release-1' });
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(releaseSlot({ releaseId: 'release-2' }))
        .thenThrows('SLOT_RELEASED', { slotId: 'slot-herlev-mon-0800', releaseId: 'release-1' });
    });

    it("names every order delivered from the slot: one release per slot-day, as the old system's row holds one", () => {
      const releaseOrder1Only = releaseSlot({ orderIds: ['order-1'], vials: [vialEntry(fdgVial1, 7001)] });
      spec
        .given(twoOrdersAccepted)
        .when(releaseOrder1Only)
        .thenThrows('RELEASE_LEAVES_ORDERS_OUT', { slotId: 'slot-herlev-mon-0800', orderIds: ['order-3'] });
      spec
        .given([order1, order3, accepted('order-1')])
        .when(releaseOrder1Only)
        .thenThrows('RELEASE_LEAVES_ORDERS_OUT', { orderIds: ['order-3'] });
      const order3Cancelled: OrderCancelled = {
        type: 'OrderCancelled',
        data: { orderId: 'order-3', previousStatus: 'ordered', reason: 'Patient cancelled', actingAs: 'shop' },
      };
      spec
        .given([order1, order3, accepted('order-1'), order3Cancelled])
        .when(releaseOrder1Only)
        .then([activityReleased('release-1', 'slot-herlev-mon-0800', ['order-1'], [releasedVial(fdgVial1, null)])]);
    });

    it('releases the slot again once its release is corrected', () => {
      spec
        .given([...twoOrdersAccepted, released0800, corrected0800])
        .when(releaseSlot({ releaseId: 'release-2' }))
        .then([{ ...released0800, data: { ...released0800.data, releaseId: 'release-2' } }]);
    });

    it('releases activity orders only', () => {
      spec
        .given([...twoOrdersAccepted, fetPlaced('inj-1', 2001), accepted('inj-1')])
        .when(releaseSlot({ orderIds: ['inj-1'] }))
        .thenThrows('NOT_AN_ACTIVITY_ORDER');
    });
  });

  describe('ReleaseInjectionOrders', () => {
    it('releases accepted injection orders of one tracer under one lot number', () => {
      spec.given(injectionsAccepted).when(releaseInjections()).then([injectionsReleased()]);
      const state = fold(deliveryDayDecider, [...injectionsAccepted, injectionsReleased()]);
      expect(state.orders['inj-2']).toMatchObject({ status: 'released', releaseId: 'release-inj-1' });
    });

    it('records the maximum injection volume typed in, and refuses one that is not a volume', () => {
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ maxInjectionVolumeMl: 8.5 }))
        .then([injectionsReleased('FET-260302-1', 8.5)]);
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ maxInjectionVolumeMl: 0 }))
        .thenThrows('INVALID_INJECTION_VOLUME', { field: 'maxInjectionVolumeMl' });
    });

    it('writes the lot with "-" where the dispenser wrote ":"', () => {
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ lot: 'FET:260302:1' }))
        .then([injectionsReleased()]);
    });

    it('keeps the lot number as typed, leading zeros included', () => {
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ lot: 'FET-260302-01' }))
        .then([injectionsReleased('FET-260302-01')]);
    });

    it("needs a lot number TAG-YYMMDD-n whose tag is the tracer's vial tag", () => {
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ lot: 'FET-2603-1' }))
        .thenThrows('INVALID_LOT_NUMBER', { lot: 'FET-2603-1', vialTag: 'FET' });
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ lot: 'FDG-260302-1' }))
        .thenThrows('INVALID_LOT_NUMBER', { vialTag: 'FET' });
      // Month 13, day 99: no real date
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ lot: 'FET-991399-1' }))
        .thenThrows('INVALID_LOT_NUMBER', { lot: 'FET-991399-1', vialTag: 'FET' });
    });

    it('releases accepted orders only', () => {
      spec
        .given([fetPlaced('inj-1', 2001), fetOrder2, accepted('inj-1')])
        .when(releaseInjections())
        .thenThrows('ORDER_STATUS_FORBIDS', { orderId: 'inj-2', allowedStatuses: ['accepted'] });
      spec
        .given([...injectionsAccepted, injectionsReleased()])
        .when(releaseInjections({ releaseId: 'release-inj-2' }))
        .thenThrows('ORDER_RELEASED');
    });

    it('releases orders of one tracer only', () => {
      const otherTracer: OrderPlaced = {
        type: 'OrderPlaced',
        data: { ...fetOrder2.data, order: { ...fetOrder2.data.order, tracerId: 'tracer-ga68' } },
      };
      spec
        .given([fetPlaced('inj-1', 2001), otherTracer, accepted('inj-1'), accepted('inj-2')])
        .when(releaseInjections())
        .thenThrows('MIXED_TRACERS', { orderId: 'inj-2' });
    });

    it('releases injection orders only', () => {
      spec
        .given([...injectionsAccepted, order1, accepted('order-1')])
        .when(releaseInjections({ orderIds: ['inj-1', 'order-1'] }))
        .thenThrows('NOT_AN_INJECTION_ORDER', { orderId: 'order-1' });
    });

    it('needs a signature meaning "release" and at least one order', () => {
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ signatureMeaning: null }))
        .thenThrows('SIGNATURE_REQUIRED', { expected: 'release' });
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ orderIds: [] }))
        .thenThrows('NO_ORDERS');
    });

    it('given accepted injection orders, when one is named twice in a release, then it is refused as DUPLICATE_IN_RELEASE', () => {
      spec
        .given(injectionsAccepted)
        .when(releaseInjections({ orderIds: ['inj-1', 'inj-2', 'inj-1'] }))
        .thenThrows('DUPLICATE_IN_RELEASE');
    });

    it('is idempotent by release id, for the same orders and lot only', () => {
      spec
        .given([...injectionsAccepted, injectionsReleased()])
        .when(releaseInjections({ lot: 'FET:260302:1' }))
        .thenNothing();
      spec
        .given([...injectionsAccepted, injectionsReleased()])
        .when(releaseInjections({ orderIds: ['inj-1'] }))
        .thenThrows('RELEASE_EXISTS', { releaseId: 'release-inj-1' });
      spec
        .given([...injectionsAccepted, injectionsReleased()])
        .when(releaseInjections({ lot: 'FET-260302-2' }))
        .thenThrows('RELEASE_EXISTS', { releaseId: 'release-inj-1' });
    });
  });

  describe('a released slot', () => {
    const placeAt0900 = placeFdg({
      orderId: 'order-7',
      legacyOid: 1007,
      slotId: 'slot-herlev-mon-0900',
      refs: activityRefs(slot0900),
    });
    const releasedViaGhost = [
      order1At1030,
      accepted('order-1'),
      order1MovedTo0900,
      ghostAt0900,
      order1ReleasedAt0900Ghost,
    ];

    it('given the 08:00 delivery released, when another order is placed there, then it is refused', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(placeFdg({ orderId: 'order-5', legacyOid: 1005 }))
        .thenThrows('SLOT_RELEASED', { slotId: 'slot-herlev-mon-0800', releaseId: 'release-1' });
    });

    it('given a release hosted by a ghost, when an order of its own is placed or moved in, then it is refused (the ghost stays)', () => {
      spec.given(releasedViaGhost).when(placeAt0900).thenThrows('SLOT_RELEASED', { slotId: 'slot-herlev-mon-0900' });
      const moveIn: MoveOrderToSlot = {
        type: 'MoveOrderToSlot',
        ...day,
        orderId: 'order-2',
        targetSlotId: 'slot-herlev-mon-0900',
        reason: 'Second run dropped',
        ghostLegacyOid: 9002,
        secondGhostLegacyOid: 990001,
        timeZone,
        refs: {
          targetSlot: slot0900,
          targetRun: activeMondayRun,
          orderedSlot: slot1030,
          orderedRun: secondMondayRun,
          closedDays: openDays,
        },
      };
      spec
        .given([...releasedViaGhost, fdgPlaced('order-2', 1002, at1030, 300)])
        .when(moveIn)
        .thenThrows('SLOT_RELEASED', { slotId: 'slot-herlev-mon-0900' });
    });

    it('given a cancelled order of a released slot, when it is reinstated, then it is refused', () => {
      const cancelled: OrderCancelled = {
        type: 'OrderCancelled',
        data: { orderId: 'order-5', previousStatus: 'ordered', reason: 'Patient cancelled', actingAs: 'shop' },
      };
      spec
        .given([fdgPlaced('order-5', 1005, at0800, 200), cancelled, ...twoOrdersAccepted, released0800])
        .when({
          type: 'ReinstateOrder',
          ...day,
          orderId: 'order-5',
          reason: 'Patient after all',
          ghostLegacyOid: 9003,
          refs: {
            closedDays: openDays,
            activeSlot: { slot: slot0800, productionRun: activeMondayRun },
            bookingOrders: [],
          },
        })
        .thenThrows('SLOT_RELEASED', { slotId: 'slot-herlev-mon-0800' });
    });

    it('given the release corrected, then the slot takes orders again', () => {
      const events = deliveryDayDecider.decide(
        placeFdg({ orderId: 'order-5', legacyOid: 1005 }),
        fold(deliveryDayDecider, [...twoOrdersAccepted, released0800, corrected0800]),
      );
      expect(events.map((event) => event.type)).toEqual(['OrderPlaced']);
    });
  });

  describe('CorrectRelease', () => {
    it('moves the released orders back to accepted, recording reason and old and new values', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(correct())
        .then([corrected0800]);
      const state = fold(deliveryDayDecider, [...twoOrdersAccepted, released0800, corrected0800]);
      expect(state.orders['order-1']).toMatchObject({ status: 'accepted', releaseId: null });
      expect(state.orders['order-3']).toMatchObject({ status: 'accepted', releaseId: null });
      expect(state.releases['release-1']?.status).toBe('corrected');
    });

    it('corrects an injection release, recording its lot number', () => {
      spec
        .given([...injectionsAccepted, injectionsReleased()])
        .when(correct({ releaseId: 'release-inj-1' }))
        .then([
          {
            type: 'ReleasedOrderCorrected',
            data: {
              releaseId: 'release-inj-1',
              orderIds: ['inj-1', 'inj-2'],
              reason: 'Wrong vial: FDG-260302-2 went to Rigshospitalet',
              old: {
                status: 'released',
                vials: [],
                lot: 'FET-260302-1',
                releasedBy: peter,
                maxInjectionVolumeMl: null,
              },
              new: { status: 'accepted', vials: [], lot: null, releasedBy: null, maxInjectionVolumeMl: null },
            },
          },
        ]);
    });

    it('given an injection release with a maximum injection volume, when it is corrected, then the old values keep the volume and who released (regression)', () => {
      const [event] = deliveryDayDecider.decide(
        correct({ releaseId: 'release-inj-1' }),
        fold(deliveryDayDecider, [...injectionsAccepted, injectionsReleased('FET-260302-1', 10)]),
      );
      expect(event?.type).toBe('ReleasedOrderCorrected');
      if (event?.type !== 'ReleasedOrderCorrected') return;
      expect(event.data.old.maxInjectionVolumeMl).toBe(10);
      expect(event.data.old.releasedBy?.userId).toBe('user-peter');
      expect(event.data.old.releasedBy?.legacyUserId).toBe(17);
      expect(event.data.new).toMatchObject({ maxInjectionVolumeMl: null, releasedBy: null });
    });

    it('needs an electronic signature meaning "correct"', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(correct({ signatureMeaning: 'release' }))
        .thenThrows('SIGNATURE_REQUIRED', { expected: 'correct', given: 'release' });
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(correct({ signatureMeaning: null }))
        .thenThrows('SIGNATURE_REQUIRED');
    });

    it('needs a reason', () => {
      spec
        .given([...twoOrdersAccepted, released0800])
        .when(correct({ reason: '' }))
        .thenThrows('FIELD_REQUIRED', { field: 'reason' });
    });

    it('fails for a release that does not exist', () => {
      spec.given(twoOrdersAccepted).when(correct()).thenThrows('RELEASE_NOT_FOUND', { releaseId: 'release-1' });
    });

    it('correcting twice changes nothing', () => {
      spec
        .given([...twoOrdersAccepted, released0800, corrected0800])
        .when(correct())
        .thenNothing();
    });

    it('lets the orders be released again, under a new release id, with the right (unassigned) vials', () => {
      const unassigned = vialState(
        fdgVial1,
        { type: 'VialAssigned', data: { vialId: fdgVial1.data.vialId, releaseId: 'release-1', streamId: 's' } },
        { type: 'VialUnassigned', data: { vialId: fdgVial1.data.vialId, releaseId: 'release-1', reason: 'Corrected' } },
      );
      spec
        .given([...twoOrdersAccepted, released0800, corrected0800])
        .when(releaseSlot({ releaseId: 'release-2', vials: [vialEntry(fdgVial1, 7003, unassigned)] }))
        .then([
          activityReleased('release-2', 'slot-herlev-mon-0800', ['order-1', 'order-3'], [releasedVial(fdgVial1, null)]),
        ]);
      spec
        .given([...twoOrdersAccepted, released0800, corrected0800])
        .when(releaseSlot())
        .thenThrows('RELEASE_EXISTS', { releaseId: 'release-1' });
    });
  });
});
