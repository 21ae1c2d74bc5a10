import { DomainError, fold } from '../kernel';
import { customerDecider, type CustomerRegistered, type CustomerState } from './customer';
import {
  deliveryEndpointDecider,
  type DeliveryEndpointRegistered,
  type DeliveryEndpointState,
} from './delivery-endpoint';
import { type DeliveryTimeSlotScheduled } from './delivery-time-slot';
import { isotopeDecider, type IsotopeRegistered, type IsotopeState } from './isotope';
import { productionRunDecider, type ProductionRunScheduled, type ProductionRunState } from './production-run';
import { tracerDecider, type TracerRegistered, type TracerState } from './tracer';

/** Example catalogue data shared by the specs: one FDG delivery chain, Monday mornings. */

export const at = '2026-03-02T07:00:00.000Z';
export const absent = { status: 'absent' } as const;

export const f18Registered: IsotopeRegistered = {
  type: 'IsotopeRegistered',
  data: {
    isotopeId: 'iso-f18',
    name: 'F-18',
    atomicNumber: 9,
    atomicMass: 18,
    halfLifeSeconds: 6586.2,
    metastable: false,
    legacyId: 1,
  },
};

export const fdgRegistered: TracerRegistered = {
  type: 'TracerRegistered',
  data: {
    tracerId: 'tracer-fdg',
    isotopeId: 'iso-f18',
    kind: 'activity',
    shortName: 'FDG',
    clinicalName: '[18F]Fluorodeoxyglucose',
    vialTag: 'FDG',
    inUse: true,
    legacy: null,
    // FDG keeps the old system's `Tracers.id`.
    legacyId: 6,
  },
};

export const fetRegistered: TracerRegistered = {
  type: 'TracerRegistered',
  data: {
    ...fdgRegistered.data,
    tracerId: 'tracer-fet',
    kind: 'injection',
    shortName: 'FET',
    clinicalName: '[18F]Fluoroethyltyrosine',
    vialTag: 'FET',
    legacyId: 1002,
  },
};

export const herlevRegistered: CustomerRegistered = {
  type: 'CustomerRegistered',
  data: {
    customerId: 'cust-herlev',
    shortName: 'herlev',
    longName: 'Herlev Hospital',
    dispenserNumber: 2,
    overheadPercent: 15,
    contactPerson: 'Anne Jensen',
    emails: ['pet@herlev.example'],
    phone: '+45 38 68 00 00',
    billingAddress: 'Borgmester Ib Juuls Vej 1',
    billingCity: 'Herlev',
    billingZip: '2730',
    legacy: null,
    legacyId: 1004,
  },
};

export const herlevPetRegistered: DeliveryEndpointRegistered = {
  type: 'DeliveryEndpointRegistered',
  data: {
    endpointId: 'ep-herlev-pet',
    customerId: 'cust-herlev',
    name: 'PET-centret',
    address: 'Borgmester Ib Juuls Vej 1',
    city: 'Herlev',
    zip: '2730',
    phone: null,
  },
};

export const mondayRunScheduled: ProductionRunScheduled = {
  type: 'ProductionRunScheduled',
  data: {
    productionRunId: 'run-mon-1',
    tracerId: 'tracer-fdg',
    weekday: 1,
    productionTime: '06:30',
    runNumber: 1,
    maxActivityMBq: 100_000,
    legacyId: 1006,
  },
};

export const mondaySlotScheduled: DeliveryTimeSlotScheduled = {
  type: 'DeliveryTimeSlotScheduled',
  data: {
    slotId: 'slot-herlev-mon-0800',
    endpointId: 'ep-herlev-pet',
    productionRunId: 'run-mon-1',
    weekday: 1,
    deliveryTime: '08:00',
    repeat: 'every',
    maxActivityMBq: null,
    expiryDate: null,
    legacyId: 1008,
  },
};

const archivedBecause = 'No longer used';

export const activeIsotope: IsotopeState = fold(isotopeDecider, [f18Registered]);
export const archivedIsotope: IsotopeState = fold(isotopeDecider, [
  f18Registered,
  { type: 'IsotopeArchived', data: { isotopeId: 'iso-f18', reason: archivedBecause } },
]);

export const activeFdg: TracerState = fold(tracerDecider, [fdgRegistered]);
export const activeFet: TracerState = fold(tracerDecider, [fetRegistered]);
export const archivedFdg: TracerState = fold(tracerDecider, [
  fdgRegistered,
  { type: 'TracerArchived', data: { tracerId: 'tracer-fdg', reason: archivedBecause } },
]);

export const activeHerlev: CustomerState = fold(customerDecider, [herlevRegistered]);
export const archivedHerlev: CustomerState = fold(customerDecider, [
  herlevRegistered,
  { type: 'CustomerArchived', data: { customerId: 'cust-herlev', reason: archivedBecause } },
]);

export const activeHerlevPet: DeliveryEndpointState = fold(deliveryEndpointDecider, [herlevPetRegistered]);
export const archivedHerlevPet: DeliveryEndpointState = fold(deliveryEndpointDecider, [
  herlevPetRegistered,
  { type: 'DeliveryEndpointArchived', data: { endpointId: 'ep-herlev-pet', reason: archivedBecause } },
]);

export const activeMondayRun: ProductionRunState = fold(productionRunDecider, [mondayRunScheduled]);
export const archivedMondayRun: ProductionRunState = fold(productionRunDecider, [
  mondayRunScheduled,
  { type: 'ProductionRunArchived', data: { productionRunId: 'run-mon-1', reason: archivedBecause } },
]);

/** The DomainError a decision throws, to check its kind and details beside its code. */
export function thrownBy(decision: () => unknown): DomainError {
  try {
    decision();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('Expected a DomainError, but nothing was thrown');
}
