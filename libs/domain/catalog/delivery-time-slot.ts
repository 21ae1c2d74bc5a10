import { type Decider, type DomainEvent } from '../kernel';
import { type CalendarDate, type ClockTime, type IsoInstant, type IsoWeekday } from './calendar';
import { type DeliveryEndpointState } from './delivery-endpoint';
import {
  alreadyExists,
  archiveOnce,
  requireActive,
  requireActiveReference,
  restoreOnce,
  updateWithReason,
  type EntityState,
} from './entity-lifecycle';
import { applyChanges, changedFields, mergeChanges, sameValue, type FieldChanges } from './field-changes';
import {
  optionalCalendarDate,
  optionalPositiveNumber,
  requireClockTime,
  requireId,
  requireInstant,
  requireOneOf,
} from './field-validation';
import { nameClaimOf, type NameClaimRef } from './name-claim';
import { requireLegacyId } from '../legacy/legacy-id-block';
import { requireDeliveryAfterProduction, type ProductionRunState } from './production-run';

export const deliveryTimeSlotStreamName = (slotId: string) => `catalog.deliveryTimeSlot-${slotId}`;

/** Which ISO weeks the slot runs in. Legacy `deliverTimes.repeat_t`: 1 every, 2 even, 3 odd. */
export const weeklyRepeats = ['every', 'even', 'odd'] as const;
export type WeeklyRepeat = (typeof weeklyRepeats)[number];

export interface DeliveryTimeSlotDetails {
  deliveryTime: ClockTime;
  repeat: WeeklyRepeat;
  /** Legacy `deliverTimes.max` ("MaxFDG"). */
  maxActivityMBq: number | null;
  /** The slot delivers on dates strictly before this one. */
  expiryDate: CalendarDate | null;
}

export interface DeliveryTimeSlot extends DeliveryTimeSlotDetails {
  id: string;
  /** Endpoint and run are fixed: orders placed in a slot must keep meaning the same delivery. */
  endpointId: string;
  productionRunId: string;
  /** Copied from the run when scheduled; a run's weekday never changes. */
  weekday: IsoWeekday;
  /** Legacy `deliverTimes.DTID`, fixed for life (see libs/domain/legacy). */
  legacyId: number;
}

export type DeliveryTimeSlotState = EntityState<DeliveryTimeSlot>;

type OptionalDetails = 'maxActivityMBq' | 'expiryDate';
export type DeliveryTimeSlotDetailsInput = Omit<DeliveryTimeSlotDetails, OptionalDetails> &
  Partial<Pick<DeliveryTimeSlotDetails, OptionalDetails>>;

// Commands

export interface ScheduleDeliveryTimeSlot extends DeliveryTimeSlotDetailsInput {
  type: 'ScheduleDeliveryTimeSlot';
  slotId: string;
  endpointId: string;
  productionRunId: string;
  /** Legacy `deliverTimes.DTID`: allocated by the handler, or given for a row carried over from the old system. */
  legacyId: number;
  at: IsoInstant;
  refs: { endpoint: DeliveryEndpointState; productionRun: ProductionRunState };
}

export interface UpdateDeliveryTimeSlot {
  type: 'UpdateDeliveryTimeSlot';
  slotId: string;
  /** `null` clears `maxActivityMBq` or `expiryDate`. */
  changes: Partial<DeliveryTimeSlotDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
  refs: { productionRun: ProductionRunState };
}

export interface ArchiveDeliveryTimeSlot {
  type: 'ArchiveDeliveryTimeSlot';
  slotId: string;
  reason: string;
  at: IsoInstant;
}

export interface RestoreDeliveryTimeSlot {
  type: 'RestoreDeliveryTimeSlot';
  slotId: string;
  reason: string;
  at: IsoInstant;
  refs: { endpoint: DeliveryEndpointState; productionRun: ProductionRunState };
}

export type DeliveryTimeSlotCommand =
  ScheduleDeliveryTimeSlot | UpdateDeliveryTimeSlot | ArchiveDeliveryTimeSlot | RestoreDeliveryTimeSlot;

// Events

export interface DeliveryTimeSlotScheduledData extends DeliveryTimeSlotDetails {
  slotId: string;
  endpointId: string;
  productionRunId: string;
  weekday: IsoWeekday;
  legacyId: number;
}
export interface DeliveryTimeSlotUpdatedData {
  slotId: string;
  changes: FieldChanges<DeliveryTimeSlotDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface DeliveryTimeSlotArchivedData {
  slotId: string;
  reason: string;
}
export interface DeliveryTimeSlotRestoredData {
  slotId: string;
  reason: string;
}

export type DeliveryTimeSlotScheduled = DomainEvent<'DeliveryTimeSlotScheduled', DeliveryTimeSlotScheduledData>;
export type DeliveryTimeSlotUpdated = DomainEvent<'DeliveryTimeSlotUpdated', DeliveryTimeSlotUpdatedData>;
export type DeliveryTimeSlotArchived = DomainEvent<'DeliveryTimeSlotArchived', DeliveryTimeSlotArchivedData>;
export type DeliveryTimeSlotRestored = DomainEvent<'DeliveryTimeSlotRestored', DeliveryTimeSlotRestoredData>;
export type DeliveryTimeSlotEvent =
  DeliveryTimeSlotScheduled | DeliveryTimeSlotUpdated | DeliveryTimeSlotArchived | DeliveryTimeSlotRestored;

// Rules

function validDetails(details: DeliveryTimeSlotDetailsInput): DeliveryTimeSlotDetails {
  return {
    deliveryTime: requireClockTime(details.deliveryTime, 'deliveryTime'),
    repeat: requireOneOf(details.repeat, weeklyRepeats, 'repeat', 'INVALID_REPEAT'),
    maxActivityMBq: optionalPositiveNumber(details.maxActivityMBq, 'maxActivityMBq', 'INVALID_MAX_ACTIVITY'),
    expiryDate: optionalCalendarDate(details.expiryDate, 'expiryDate'),
  };
}

const detailsOf = (slot: DeliveryTimeSlotDetailsInput): DeliveryTimeSlotDetails => ({
  deliveryTime: slot.deliveryTime,
  repeat: slot.repeat,
  maxActivityMBq: slot.maxActivityMBq ?? null,
  expiryDate: slot.expiryDate ?? null,
});

export function deliveryTimeSlotNameClaims(state: DeliveryTimeSlotState): NameClaimRef[] {
  if (state.status === 'absent') return [];
  return [
    nameClaimOf.deliveryTimeSlotSchedule(state.endpointId, state.deliveryTime, state.productionRunId),
    nameClaimOf.legacyId('deliverTimes', state.legacyId),
  ];
}

/** Endpoint and run exist and are active, and the run produces before the slot delivers. */
function requireDeliverableReferences(
  slot: { slotId: string; endpointId: string; productionRunId: string; deliveryTime: ClockTime },
  refs: { endpoint: DeliveryEndpointState; productionRun: ProductionRunState },
): IsoWeekday {
  requireActiveReference(refs.endpoint, 'DELIVERY_ENDPOINT', slot.endpointId, 'endpointId');
  requireActiveReference(refs.productionRun, 'PRODUCTION_RUN', slot.productionRunId, 'productionRunId');
  requireDeliveryAfterProduction(slot.deliveryTime, refs.productionRun.productionTime, {
    slotId: slot.slotId,
    productionRunId: slot.productionRunId,
  });
  return refs.productionRun.weekday;
}

// Decider

const initialState = (): DeliveryTimeSlotState => ({ status: 'absent' });

function evolve(state: DeliveryTimeSlotState, event: DeliveryTimeSlotEvent): DeliveryTimeSlotState {
  if (event.type === 'DeliveryTimeSlotScheduled') {
    const { slotId, ...slot } = event.data;
    return { status: 'active', id: slotId, ...slot };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'DeliveryTimeSlotUpdated':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'DeliveryTimeSlotArchived':
      return { ...state, status: 'archived' };
    case 'DeliveryTimeSlotRestored':
      return { ...state, status: 'active' };
  }
}

function decide(command: DeliveryTimeSlotCommand, state: DeliveryTimeSlotState): DeliveryTimeSlotEvent[] {
  requireInstant(command.at);
  const slotId = requireId(command.slotId, 'slotId');
  switch (command.type) {
    case 'ScheduleDeliveryTimeSlot': {
      const slot = {
        slotId,
        endpointId: requireId(command.endpointId, 'endpointId'),
        productionRunId: requireId(command.productionRunId, 'productionRunId'),
        ...validDetails(detailsOf(command)),
      };
      if (state.status !== 'absent') {
        const existing = {
          slotId: state.id,
          endpointId: state.endpointId,
          productionRunId: state.productionRunId,
          ...detailsOf(state),
        };
        if (!sameValue(existing, slot)) throw alreadyExists('DELIVERY_TIME_SLOT', slotId);
        // The same record again: it keeps the legacy id it holds.
        return [];
      }
      const legacyId = requireLegacyId(command.legacyId);
      const weekday = requireDeliverableReferences(slot, command.refs);
      return [{ type: 'DeliveryTimeSlotScheduled', data: { ...slot, weekday, legacyId } }];
    }
    case 'UpdateDeliveryTimeSlot': {
      requireActive(state, 'DELIVERY_TIME_SLOT', slotId);
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      if (changes.deliveryTime) {
        const { productionRun } = command.refs;
        requireActiveReference(productionRun, 'PRODUCTION_RUN', state.productionRunId, 'productionRunId');
        requireDeliveryAfterProduction(changes.deliveryTime.to, productionRun.productionTime, {
          slotId,
          productionRunId: state.productionRunId,
        });
      }
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'DeliveryTimeSlotUpdated',
        data: { slotId, changes, reason },
      }));
    }
    case 'ArchiveDeliveryTimeSlot':
      return archiveOnce(state, 'DELIVERY_TIME_SLOT', slotId, command.reason, (reason) => ({
        type: 'DeliveryTimeSlotArchived',
        data: { slotId, reason },
      }));
    case 'RestoreDeliveryTimeSlot':
      return restoreOnce(
        state,
        'DELIVERY_TIME_SLOT',
        slotId,
        command.reason,
        (reason) => ({ type: 'DeliveryTimeSlotRestored', data: { slotId, reason } }),
        // The run may have moved while the slot was archived (its own check ignores archived slots).
        (slot) =>
          requireDeliverableReferences(
            {
              slotId,
              endpointId: slot.endpointId,
              productionRunId: slot.productionRunId,
              deliveryTime: slot.deliveryTime,
            },
            command.refs,
          ),
      );
  }
}

export const deliveryTimeSlotDecider: Decider<DeliveryTimeSlotCommand, DeliveryTimeSlotEvent, DeliveryTimeSlotState> = {
  initialState,
  evolve,
  decide,
};
