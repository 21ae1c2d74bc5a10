import { fold } from '../kernel';
import {
  deliveryTimeSlotDecider,
  productionRunDecider,
  tracerDecider,
  tracerPermissionDecider,
  type ClosedDays,
  type DeliveryTimeSlotScheduled,
  type DeliveryTimeSlotState,
  type ProductionRunScheduled,
  type ProductionRunState,
  type TracerPermissionGranted,
  type TracerPermissionState,
  type TracerRegistered,
  type TracerState,
} from '../catalog';
import {
  activeFdg,
  activeFet,
  activeHerlev,
  activeHerlevPet,
  activeIsotope,
  activeMondayRun,
  fdgRegistered,
  mondayRunScheduled,
  mondaySlotScheduled,
} from '../catalog/catalog-examples';
import {
  type ActivityOrderRefs,
  type ActivityReleased,
  type GhostOrderCreated,
  type OrderMovedToSlot,
  type OrderedBy,
  type OrderPlaced,
  type PlaceActivityOrder,
  type PlaceInjectionOrder,
  type ReleasedBy,
  type ReleasedVial,
  type SlotPlacement,
} from './delivery-day';
import { type LocalMoment, type OrderingDeadline } from './deadline';
import { DEFAULT_BUSINESS_TIME_ZONE } from './business-time';
import { decayFactor, secondsBetween } from './decay';
import { vialDecider, type VialDispensed, type VialState } from './vial';

/**
 * Example ordering data shared by the specs: Herlev's PET centre on Monday 2026-03-02 (ISO week 10,
 * an even week). FDG is delivered at 08:00 and 09:00 from the 06:30 run and at 10:30 from the 09:00
 * run; F-18 choline (another activity tracer) at 08:15. Deadline: the day before at 13:00.
 */

export const at = '2026-03-01T08:00:00.000Z';
export const date = '2026-03-02';
export const endpointId = 'ep-herlev-pet';
/** The business time zone the examples' slot times are read in. */
export const timeZone = DEFAULT_BUSINESS_TIME_ZONE;
const monday = { date, timeZone };

export const dailyDeadline: OrderingDeadline = { kind: 'daily', time: '13:00' };
/** Friday before the delivery: well in time. */
export const inTime: LocalMoment = { date: '2026-02-27', time: '09:00' };
/** Sunday 13:01: one minute after the daily deadline of Monday's delivery. */
/** Wednesday before the delivery: before the weekly deadline of injection orders (Thursday 13:00). */
export const inTimeForWeekly: LocalMoment = { date: '2026-02-25', time: '09:00' };
export const weeklyDeadline: OrderingDeadline = { kind: 'weekly', weekday: 4, time: '13:00' };
export const tooLate: LocalMoment = { date: '2026-03-01', time: '13:01' };

export const anne: OrderedBy = { userId: 'user-anne', username: 'anne', printedName: 'Anne Jensen' };
export const peter: ReleasedBy = {
  userId: 'user-peter',
  username: 'peter',
  printedName: 'Peter Hansen',
  legacyUserId: 17,
};

// Catalogue

export const cholineRegistered: TracerRegistered = {
  type: 'TracerRegistered',
  data: {
    ...fdgRegistered.data,
    tracerId: 'tracer-fch',
    shortName: 'FCH',
    clinicalName: '[18F]Fluorocholine',
    vialTag: 'FCH',
  },
};
export const activeCholine: TracerState = fold(tracerDecider, [cholineRegistered]);
export const fdgNotInUse: TracerState = fold(tracerDecider, [
  { ...fdgRegistered, data: { ...fdgRegistered.data, inUse: false } },
]);

export const secondMondayRunScheduled: ProductionRunScheduled = {
  type: 'ProductionRunScheduled',
  data: { ...mondayRunScheduled.data, productionRunId: 'run-mon-2', productionTime: '09:00', runNumber: 2 },
};
export const cholineRunScheduled: ProductionRunScheduled = {
  type: 'ProductionRunScheduled',
  data: { ...mondayRunScheduled.data, productionRunId: 'run-mon-fch', tracerId: 'tracer-fch', runNumber: 1 },
};
export const fetRunScheduled: ProductionRunScheduled = {
  type: 'ProductionRunScheduled',
  data: { ...mondayRunScheduled.data, productionRunId: 'run-mon-fet', tracerId: 'tracer-fet', runNumber: 1 },
};
export const secondMondayRun: ProductionRunState = fold(productionRunDecider, [secondMondayRunScheduled]);
export const cholineRun: ProductionRunState = fold(productionRunDecider, [cholineRunScheduled]);
export const fetRun: ProductionRunState = fold(productionRunDecider, [fetRunScheduled]);

const slotScheduled = (data: Partial<DeliveryTimeSlotScheduled['data']>): DeliveryTimeSlotScheduled => ({
  type: 'DeliveryTimeSlotScheduled',
  data: { ...mondaySlotScheduled.data, ...data },
});
type SlotWithLegacyId = DeliveryTimeSlotState & { legacyId?: number };
const slotState = (event: DeliveryTimeSlotScheduled, legacyId: number): SlotWithLegacyId => ({
  ...fold(deliveryTimeSlotDecider, [event]),
  legacyId,
});

export const slot0800 = slotState(mondaySlotScheduled, 11);
export const slot0900 = slotState(slotScheduled({ slotId: 'slot-herlev-mon-0900', deliveryTime: '09:00' }), 12);
const slot1030Data = { slotId: 'slot-herlev-mon-1030', productionRunId: 'run-mon-2', deliveryTime: '10:30' };
export const slot1030 = slotState(slotScheduled(slot1030Data), 13);
/** The 10:30 slot with a variation, e.g. `{ maxActivityMBq: 1000 }`. */
export const slot1030With = (data: Partial<DeliveryTimeSlotScheduled['data']>) =>
  slotState(slotScheduled({ ...slot1030Data, ...data }), 13);
export const cholineSlot0815 = slotState(
  slotScheduled({ slotId: 'slot-herlev-mon-fch-0815', productionRunId: 'run-mon-fch', deliveryTime: '08:15' }),
  14,
);
export const fetSlot0800 = slotState(
  slotScheduled({ slotId: 'slot-herlev-mon-fet-0800', productionRunId: 'run-mon-fet' }),
  15,
);
/** A slot of Herlev's nuclear medicine department, another endpoint. */
export const otherEndpointSlot = slotState(
  slotScheduled({ slotId: 'slot-herlev-nuk-mon-0700', endpointId: 'ep-herlev-nuk', deliveryTime: '07:00' }),
  16,
);
/** The same 08:00 slot with a variation, e.g. `{ repeat: 'odd' }`. */
export const slot0800With = (data: Partial<DeliveryTimeSlotScheduled['data']>) => slotState(slotScheduled(data), 11);

export const placementOf = (slot: SlotWithLegacyId, run: ProductionRunState): SlotPlacement => {
  if (slot.status === 'absent' || run.status === 'absent') throw new Error('placementOf needs present states');
  return {
    slotId: slot.id,
    productionRunId: run.id,
    deliveryTime: slot.deliveryTime,
    runNumber: run.runNumber,
    slotLegacyId: slot.legacyId ?? null,
  };
};
export const at0800 = placementOf(slot0800, activeMondayRun);
export const at0900 = placementOf(slot0900, activeMondayRun);
export const at1030 = placementOf(slot1030, secondMondayRun);

/** A catalogue page: Herlev's PET centre may order the tracer. */
const granted = (
  tracerId: string,
  overheadPercent: number | null,
  maxInjections: number | null,
  legacyId: number,
): TracerPermissionGranted => ({
  type: 'TracerPermissionGranted',
  data: { endpointId, tracerId, overheadPercent, maxInjections, legacyId },
});

export const fdgPermission: TracerPermissionState = fold(tracerPermissionDecider, [
  granted('tracer-fdg', 10, null, 21),
]);
export const fdgPermissionWithoutOverride: TracerPermissionState = fold(tracerPermissionDecider, [
  granted('tracer-fdg', null, null, 21),
]);
export const fdgPermissionRevoked: TracerPermissionState = fold(tracerPermissionDecider, [
  granted('tracer-fdg', 10, null, 21),
  { type: 'TracerPermissionRevoked', data: { endpointId, tracerId: 'tracer-fdg', reason: 'Contract ended' } },
]);
export const fetPermission: TracerPermissionState = fold(tracerPermissionDecider, [granted('tracer-fet', null, 6, 22)]);
export const cholinePermission: TracerPermissionState = fold(tracerPermissionDecider, [
  granted('tracer-fch', null, null, 23),
]);

export const openDays: ClosedDays = { dates: [], weeklyCloseDays: 0 };

// Activity orders

export const activityRefs = (
  slot: SlotWithLegacyId = slot0800,
  productionRun = activeMondayRun,
): ActivityOrderRefs => ({
  slot,
  productionRun,
  tracer: { ...activeFdg, legacyId: 3 },
  isotope: activeIsotope,
  endpoint: activeHerlevPet,
  customer: { ...activeHerlev, legacyId: 42 },
  permission: fdgPermission,
  closedDays: openDays,
});

export const placeFdg = (overrides: Partial<PlaceActivityOrder> = {}): PlaceActivityOrder => ({
  type: 'PlaceActivityOrder',
  endpointId,
  date,
  at,
  now: inTime,
  deadline: dailyDeadline,
  orderId: 'order-1',
  legacyOid: 1001,
  slotId: 'slot-herlev-mon-0800',
  activityMBq: 1000,
  comment: null,
  orderedBy: anne,
  actingAs: 'shop',
  deadlineOverrideReason: null,
  bookingIds: [],
  refs: activityRefs(),
  ...overrides,
});

/** An FDG order as placed: 10 % overhead from the catalogue page, F-18's half-life. */
export const fdgPlaced = (
  orderId: string,
  legacyOid: number,
  placement: SlotPlacement,
  activityMBq: number,
  extra: { comment?: string | null; deadlineOverrideReason?: string | null } = {},
): OrderPlaced => ({
  type: 'OrderPlaced',
  data: {
    endpointId,
    date,
    order: {
      kind: 'activity',
      orderId,
      legacyOid,
      customerId: 'cust-herlev',
      customerLegacyId: 42,
      tracerId: 'tracer-fdg',
      tracerLegacyId: 3,
      comment: extra.comment ?? null,
      orderedBy: anne,
      ...placement,
      activityMBq,
      overheadPercent: 10,
      halfLifeSeconds: 6586.2,
      bookingIds: [],
    },
    deadlineOverrideReason: extra.deadlineOverrideReason ?? null,
  },
});

export const accepted = (orderId: string) => ({ type: 'OrderAccepted', data: { orderId } }) as const;

/** order-1: 1000 MBq for 10:30. order-2: 500 MBq for 09:00. order-3: 800 MBq for 08:00. */
export const order1At1030 = fdgPlaced('order-1', 1001, at1030, 1000);
export const order2At0900 = fdgPlaced('order-2', 1002, at0900, 500);
export const order3At0800 = fdgPlaced('order-3', 1003, at0800, 800);

/** 1000 MBq for 10:30 delivered at 09:00: 90 minutes of F-18 decay, then 10 % overhead. */
export const factor1030To0900 = decayFactor(secondsBetween('09:00', '10:30', monday), 6586.2);

/** order-1 moved from 10:30 to 09:00, where no own order waits: the ghost that hosts it. */
export const ghostAt0900: GhostOrderCreated = {
  type: 'GhostOrderCreated',
  data: {
    ghostId: 'ghost:slot-herlev-mon-0900:9001',
    legacyOid: 9001,
    ...at0900,
    customerId: 'cust-herlev',
    customerLegacyId: 42,
    tracerId: 'tracer-fdg',
    tracerLegacyId: 3,
    hostedOrderIds: ['order-1'],
  },
};

/** An FDG order (10 % overhead) moved from one slot to an earlier one, decay-corrected. */
export const moved = (
  orderId: string,
  from: SlotPlacement,
  to: SlotPlacement,
  orderedMBq: number,
  orderedTime: string = from.deliveryTime,
  reason = 'Second run dropped',
): OrderMovedToSlot => {
  const factor = decayFactor(secondsBetween(to.deliveryTime, orderedTime, monday), 6586.2);
  return {
    type: 'OrderMovedToSlot',
    data: {
      orderId,
      from,
      to,
      reason,
      decayFactor: factor,
      activityAtTargetMBq: orderedMBq * factor,
      activityAtTargetWithOverheadMBq: orderedMBq * factor * 1.1,
    },
  };
};

export const order1MovedTo0900 = moved('order-1', at1030, at0900, 1000);

// Injection orders

export const injectionRefs = (): PlaceInjectionOrder['refs'] => ({
  tracer: { ...activeFet, legacyId: 5 },
  endpoint: activeHerlevPet,
  customer: { ...activeHerlev, legacyId: 42 },
  permission: fetPermission,
  closedDays: openDays,
});

export const placeFet = (overrides: Partial<PlaceInjectionOrder> = {}): PlaceInjectionOrder => ({
  type: 'PlaceInjectionOrder',
  endpointId,
  date,
  at,
  now: inTimeForWeekly,
  deadline: weeklyDeadline,
  orderId: 'inj-1',
  legacyOid: 2001,
  tracerId: 'tracer-fet',
  deliveryTime: '11:15',
  injections: 4,
  usage: 'human',
  comment: null,
  orderedBy: anne,
  actingAs: 'shop',
  deadlineOverrideReason: null,
  bookingIds: [],
  refs: injectionRefs(),
  ...overrides,
});

export const fetPlaced = (orderId: string, legacyOid: number, injections = 4): OrderPlaced => ({
  type: 'OrderPlaced',
  data: {
    endpointId,
    date,
    order: {
      kind: 'injection',
      orderId,
      legacyOid,
      customerId: 'cust-herlev',
      customerLegacyId: 42,
      tracerId: 'tracer-fet',
      tracerLegacyId: 5,
      comment: null,
      orderedBy: anne,
      deliveryTime: '11:15',
      injections,
      usage: 'human',
      bookingIds: [],
    },
    deadlineOverrideReason: null,
  },
});

// Vials

export const vialDispensed = (
  lot: string,
  fillTime: string,
  legacyValId: number,
  overrides: Partial<VialDispensed['data']> = {},
): VialDispensed => ({
  type: 'VialDispensed',
  data: {
    vialId: `${lot}@${date}T${fillTime}`,
    lot,
    fillDate: date,
    fillTime,
    activityMBq: 2500,
    volumeMl: 5.2,
    dispenserNumber: 2,
    depotPosition: 3,
    grossG: 21.4,
    tareG: 16.1,
    netG: 5.3,
    product: '18F',
    legacyValId,
    ...overrides,
  },
});

export const fdgVial1 = vialDispensed('FDG-260302-1', '09:48:12', 5001);
export const fdgVial2 = vialDispensed('FDG-260302-2', '09:51:40', 5002, { activityMBq: 1200, volumeMl: 3.1 });
export const vialState = (...events: Parameters<typeof vialDecider.evolve>[1][]): VialState =>
  fold(vialDecider, events);

/** A dispensed vial as a release lists it; every vial after the first has a legacy extra-vial row. */
export const releasedVial = ({ data }: VialDispensed, extraRowLegacyOid: number | null): ReleasedVial => ({
  vialId: data.vialId,
  lot: data.lot,
  fillDate: data.fillDate,
  fillTime: data.fillTime,
  activityMBq: data.activityMBq,
  volumeMl: data.volumeMl,
  dispenserNumber: data.dispenserNumber,
  legacyValId: data.legacyValId,
  extraRowLegacyOid,
});

export const activityReleased = (
  releaseId: string,
  slotId: string,
  orderIds: string[],
  vials: ReleasedVial[],
  ghostId: string | null = null,
): ActivityReleased => ({
  type: 'ActivityReleased',
  data: {
    releaseId,
    slotId,
    tracerId: 'tracer-fdg',
    orderIds,
    ghostId,
    vials,
    deliveredActivityMBq: vials.reduce((sum, vial) => sum + vial.activityMBq, 0),
    releasedBy: peter,
  },
});

/** order-1, moved from 10:30 to 09:00 where a ghost hosts it, released there with one vial. */
export const order1ReleasedAt0900Ghost = activityReleased(
  'release-1',
  'slot-herlev-mon-0900',
  ['order-1'],
  [releasedVial(fdgVial1, null)],
  'ghost:slot-herlev-mon-0900:9001',
);
