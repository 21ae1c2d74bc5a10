import {
  customerDecider,
  deliveryEndpointDecider,
  deliveryTimeSlotDecider,
  isotopeDecider,
  productionRunDecider,
  tracerDecider,
  tracerPermissionDecider,
  type CatalogEvent,
  type CustomerRegistered,
  type DeliveryEndpointRegistered,
  type DeliveryTimeSlotScheduled,
  type IsotopeRegistered,
  type ProductionRunScheduled,
  type TracerPermissionGranted,
  type TracerRegistered,
} from '@tracershop/domain/catalog';
import type { UserEvent } from '@tracershop/domain/identity';
import { fold } from '@tracershop/domain/kernel';
import {
  type ActivityOrderRefs,
  type OrderedBy,
  type PlaceActivityOrder,
  type PlaceInjectionOrder,
  type ReleasedBy,
  type VialDispensed,
} from '@tracershop/domain/ordering';
import type { LegacyIdBlockReserved, LegacyIdTable } from '@tracershop/domain/legacy';
import { legacyColumns } from '../legacy-tables';

/**
 * A small catalogue with legacy ids: Herlev (Users.Id 42, dispenser number 2, 15 % overhead) with one
 * endpoint; FDG (Tracers.id 6) from two Monday runs, delivered at 08:00 and 09:00 (run 1) and 10:30
 * (run 2); F-18 choline (another activity tracer, id 10) at 08:15; FET (an injection tracer, id 8).
 * Monday 2026-03-02 is in ISO week 10.
 */

export const date = '2026-03-02';
export const endpointId = 'ep-herlev-pet';
export const customerId = 'cust-herlev';

export const f18: IsotopeRegistered = {
  type: 'IsotopeRegistered',
  data: {
    isotopeId: 'iso-f18',
    name: 'F-18',
    atomicNumber: 9,
    atomicMass: 18,
    halfLifeSeconds: 6586.2,
    metastable: false,
    legacyId: 2,
  },
};

export const fdg: TracerRegistered = {
  type: 'TracerRegistered',
  data: {
    tracerId: 'tracer-fdg',
    isotopeId: 'iso-f18',
    kind: 'activity',
    shortName: 'FDG',
    clinicalName: '[18F]Fluorodeoxyglucose',
    vialTag: 'FDG',
    inUse: true,
    legacy: { orderBlock: 3, injections: null },
    legacyId: 6,
  },
};

export const fet: TracerRegistered = {
  type: 'TracerRegistered',
  data: {
    ...fdg.data,
    tracerId: 'tracer-fet',
    kind: 'injection',
    shortName: 'FET',
    clinicalName: '[18F]Fluoroethyltyrosine',
    vialTag: 'FET',
    legacy: { orderBlock: null, injections: 4 },
    legacyId: 8,
  },
};

export const choline: TracerRegistered = {
  type: 'TracerRegistered',
  data: {
    ...fdg.data,
    tracerId: 'tracer-fch',
    shortName: 'FCH',
    clinicalName: '[18F]Fluorocholine',
    vialTag: 'FCH',
    legacy: null,
    legacyId: 10,
  },
};

export const herlev: CustomerRegistered = {
  type: 'CustomerRegistered',
  data: {
    customerId,
    shortName: 'herlev',
    longName: 'Herlev Hospital',
    dispenserNumber: 2,
    overheadPercent: 15,
    contactPerson: 'Anne Jensen',
    emails: ['pet@herlev.example', 'nuk@herlev.example'],
    phone: '+45 38 68 00 00',
    billingAddress: 'Borgmester Ib Juuls Vej 1',
    billingCity: 'Herlev',
    billingZip: '2730',
    legacy: { title: 'PET-centret', labelName: 'Herlev PET', addressLine3: 'Opgang 5', addressLine4: null },
    legacyId: 42,
  },
};

export const herlevPet: DeliveryEndpointRegistered = {
  type: 'DeliveryEndpointRegistered',
  data: {
    endpointId,
    customerId,
    name: 'PET-centret',
    address: 'Borgmester Ib Juuls Vej 1',
    city: 'Herlev',
    zip: '2730',
    phone: null,
  },
};

const run = (productionRunId: string, tracerId: string, productionTime: string, runNumber: number, legacyId: number) =>
  ({
    type: 'ProductionRunScheduled',
    data: { productionRunId, tracerId, weekday: 1, productionTime, runNumber, maxActivityMBq: 100_000, legacyId },
  }) satisfies ProductionRunScheduled;

export const run1 = run('run-mon-1', 'tracer-fdg', '06:30', 1, 20);
export const run2 = run('run-mon-2', 'tracer-fdg', '09:00', 2, 22);
export const cholineRun = run('run-mon-fch', 'tracer-fch', '06:45', 1, 24);

const slot = (slotId: string, productionRunId: string, deliveryTime: string, legacyId: number) =>
  ({
    type: 'DeliveryTimeSlotScheduled',
    data: {
      slotId,
      endpointId,
      productionRunId,
      weekday: 1,
      deliveryTime,
      repeat: 'every',
      maxActivityMBq: null,
      expiryDate: null,
      legacyId,
    },
  }) satisfies DeliveryTimeSlotScheduled;

export const slot0800 = slot('slot-0800', 'run-mon-1', '08:00', 30);
export const slot0900 = slot('slot-0900', 'run-mon-1', '09:00', 32);
export const slot1030 = slot('slot-1030', 'run-mon-2', '10:30', 34);
export const cholineSlot = slot('slot-fch-0815', 'run-mon-fch', '08:15', 36);

const grant = (tracerId: string, overheadPercent: number | null, maxInjections: number | null, legacyId: number) =>
  ({
    type: 'TracerPermissionGranted',
    data: { endpointId, tracerId, overheadPercent, maxInjections, legacyId },
  }) satisfies TracerPermissionGranted;

export const fdgPermission = grant('tracer-fdg', 10, null, 50);
export const fetPermission = grant('tracer-fet', null, 6, 52);
export const cholinePermission = grant('tracer-fch', null, null, 54);

export const catalogue: CatalogEvent[] = [
  f18,
  fdg,
  fet,
  choline,
  herlev,
  herlevPet,
  run1,
  run2,
  cholineRun,
  slot0800,
  slot0900,
  slot1030,
  cholineSlot,
  fdgPermission,
  fetPermission,
  cholinePermission,
];

// Staff

export const anne: OrderedBy = { userId: 'user-anne', username: 'anne', printedName: 'Anne Jensen' };
export const peter: ReleasedBy = {
  userId: 'user-peter',
  username: 'peter',
  printedName: 'Peter Hansen',
  legacyUserId: 17,
};

export const staff: UserEvent[] = [
  {
    type: 'UserRegistered',
    data: { userId: 'user-anne', username: 'anne', printedName: 'Anne Jensen', emails: [], legacyUserId: 15 },
  },
  {
    type: 'UserRegistered',
    data: {
      userId: 'user-peter',
      username: 'peter',
      printedName: 'Peter Hansen',
      emails: ['peter@rh.example'],
      legacyUserId: 17,
    },
  },
  { type: 'RoleGranted', data: { userId: 'user-peter', role: 'production', customerIds: [], locationIds: [] } },
];

// Domain states for commands' refs.

const slotState = (event: DeliveryTimeSlotScheduled) => fold(deliveryTimeSlotDecider, [event]);
const runState = (event: ProductionRunScheduled) => fold(productionRunDecider, [event]);
export const states = {
  isotope: fold(isotopeDecider, [f18]),
  fdg: fold(tracerDecider, [fdg]),
  fet: fold(tracerDecider, [fet]),
  customer: fold(customerDecider, [herlev]),
  endpoint: fold(deliveryEndpointDecider, [herlevPet]),
  run1: runState(run1),
  run2: runState(run2),
  slot0800: slotState(slot0800),
  slot0900: slotState(slot0900),
  slot1030: slotState(slot1030),
  fdgPermission: fold(tracerPermissionDecider, [fdgPermission]),
  fetPermission: fold(tracerPermissionDecider, [fetPermission]),
  choline: fold(tracerDecider, [choline]),
  cholineRun: runState(cholineRun),
  cholineSlot: slotState(cholineSlot),
  cholinePermission: fold(tracerPermissionDecider, [cholinePermission]),
};
export const openDays = { dates: [], weeklyCloseDays: 0 };

/** Tracershop's block of ids for a legacy table (every second id, as the allocator reserves them). */
export const reserved = (table: LegacyIdTable, firstId: number, lastId: number): LegacyIdBlockReserved => ({
  type: 'LegacyIdBlockReserved',
  data: { table, firstId, lastId, step: 2 },
});

export const fdgSlots = {
  '08:00': { slot: states.slot0800, run: states.run1 },
  '09:00': { slot: states.slot0900, run: states.run1 },
  '10:30': { slot: states.slot1030, run: states.run2 },
} as const;
export type FdgSlotTime = keyof typeof fdgSlots;

/** What a move's handler loads: the FDG slot it moves to and the one the order was placed in, on an open day. */
export const moveRefs = (to: FdgSlotTime, from: FdgSlotTime) => ({
  targetSlot: fdgSlots[to].slot,
  targetRun: fdgSlots[to].run,
  orderedSlot: fdgSlots[from].slot,
  orderedRun: fdgSlots[from].run,
  closedDays: openDays,
});

/** Ordered on Friday 2026-02-27 at 09:00 local time. */
const day = { endpointId, date, at: '2026-02-27T08:00:00.000Z' };
const inTime = { now: { date: '2026-02-27', time: '09:00' }, deadline: { kind: 'daily', time: '13:00' } } as const;

export function placeActivity(
  orderId: string,
  legacyOid: number,
  refs: Pick<ActivityOrderRefs, 'slot' | 'productionRun' | 'tracer' | 'permission'>,
  activityMBq: number,
  comment: string | null = null,
  at = day.at,
): PlaceActivityOrder {
  return {
    type: 'PlaceActivityOrder',
    ...day,
    at,
    ...inTime,
    orderId,
    legacyOid,
    slotId: refs.slot.status === 'absent' ? '' : refs.slot.id,
    activityMBq,
    comment,
    orderedBy: anne,
    actingAs: 'shop',
    deadlineOverrideReason: null,
    bookingIds: [],
    refs: {
      ...refs,
      isotope: states.isotope,
      endpoint: states.endpoint,
      customer: states.customer,
      closedDays: openDays,
    },
  };
}

export function placeFdg(
  orderId: string,
  legacyOid: number,
  time: FdgSlotTime,
  activityMBq: number,
  comment: string | null = null,
  at = day.at,
): PlaceActivityOrder {
  const { slot, run } = fdgSlots[time];
  const refs = { slot, productionRun: run, tracer: states.fdg, permission: states.fdgPermission };
  return placeActivity(orderId, legacyOid, refs, activityMBq, comment, at);
}

export function placeCholine(orderId: string, legacyOid: number, activityMBq: number): PlaceActivityOrder {
  const refs = {
    slot: states.cholineSlot,
    productionRun: states.cholineRun,
    tracer: states.choline,
    permission: states.cholinePermission,
  };
  return placeActivity(orderId, legacyOid, refs, activityMBq);
}

export function placeFet(
  orderId: string,
  legacyOid: number,
  deliveryTime: string,
  injections: number,
): PlaceInjectionOrder {
  return {
    type: 'PlaceInjectionOrder',
    ...day,
    ...inTime,
    orderId,
    legacyOid,
    tracerId: 'tracer-fet',
    deliveryTime,
    injections,
    usage: 'human',
    comment: null,
    orderedBy: anne,
    actingAs: 'shop',
    deadlineOverrideReason: null,
    bookingIds: [],
    refs: {
      tracer: states.fet,
      endpoint: states.endpoint,
      customer: states.customer,
      permission: states.fetPermission,
      closedDays: openDays,
    },
  };
}

export const dayCommand = { endpointId, date, at: '2026-03-02T06:00:00.000Z' };

export function vialDispensed(
  lot: string,
  fillTime: string,
  legacyValId: number,
  activityMBq: number,
  volumeMl: number,
): VialDispensed {
  return {
    type: 'VialDispensed',
    data: {
      vialId: `${lot}@${date}T${fillTime}`,
      lot,
      fillDate: date,
      fillTime,
      activityMBq,
      volumeMl,
      dispenserNumber: 2,
      depotPosition: 3,
      grossG: 21.4,
      tareG: 16.1,
      netG: 5.3,
      product: '18F',
      legacyValId,
    },
  };
}

// Expected rows, in contract column order.

type Columns = Record<string, unknown>;

function positionalRow(table: 'orders' | 't_orders', defaults: Columns, values: Columns): unknown[] {
  const row = { ...defaults, ...values };
  const unknown = Object.keys(row).filter((column) => !legacyColumns[table].includes(column));
  if (unknown.length > 0) throw new Error(`${table} has no column ${unknown.join(', ')}`);
  return legacyColumns[table].map((column) => (column in row ? row[column] : null));
}

/** A row of `orders` as a new FDG order makes it, with the given columns changed. */
export const ordersRow = (values: Columns) =>
  positionalRow(
    'orders',
    { BID: 42, batchnr: '', COID: -1, frigivet_datetime: '0000-01-01 00:00:00', tracer: 6, userName: 'anne' },
    values,
  );

export const tOrdersRow = (values: Columns) =>
  positionalRow('t_orders', { BID: 42, batchnr: '', tracer: 8, anvendelse: 'Human', userName: 'anne' }, values);
