import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type ClockTime, type IsoInstant, type IsoWeekday } from './calendar';
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
  optionalPositiveNumber,
  requireClockTime,
  requireId,
  requireInstant,
  requireInteger,
  requireWeekday,
} from './field-validation';
import { nameClaimOf, type NameClaimRef } from './name-claim';
import { requireLegacyId } from '../legacy/legacy-id-block';
import { type TracerState } from './tracer';

export const productionRunStreamName = (productionRunId: string) => `catalog.productionRun-${productionRunId}`;

export interface ProductionRunDetails {
  productionTime: ClockTime;
  /** Legacy `productionTimes.run`: the run's number within its weekday (1, 2, …). */
  runNumber: number;
  /** Legacy `productionTimes.max`. */
  maxActivityMBq: number | null;
}

export interface ProductionRun extends ProductionRunDetails {
  id: string;
  tracerId: string;
  /**
   * Fixed: slots copy the weekday of their run, so a run on another weekday is another run
   * (archive this one, schedule that one).
   */
  weekday: IsoWeekday;
  /** Legacy `productionTimes.PTID`, fixed for life (see libs/domain/legacy). */
  legacyId: number;
}

export type ProductionRunState = EntityState<ProductionRun>;

/** An active slot served by the run, as the catalogue read model lists it. */
export interface ServedSlot {
  slotId: string;
  deliveryTime: ClockTime;
}

type OptionalDetails = 'maxActivityMBq';
export type ProductionRunDetailsInput = Omit<ProductionRunDetails, OptionalDetails> &
  Partial<Pick<ProductionRunDetails, OptionalDetails>>;

// Commands

export interface ScheduleProductionRun extends ProductionRunDetailsInput {
  type: 'ScheduleProductionRun';
  productionRunId: string;
  tracerId: string;
  weekday: IsoWeekday;
  /** Legacy `productionTimes.PTID`: allocated by the handler, or given for a row carried over from the old system. */
  legacyId: number;
  at: IsoInstant;
  refs: { tracer: TracerState };
}

export interface UpdateProductionRun {
  type: 'UpdateProductionRun';
  productionRunId: string;
  changes: Partial<ProductionRunDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
  /** No stream holds a run's slots, so the handler lists them from the catalogue read model. */
  refs: { servedSlots: readonly ServedSlot[] };
}

export interface ArchiveProductionRun {
  type: 'ArchiveProductionRun';
  productionRunId: string;
  reason: string;
  at: IsoInstant;
  refs: { servedSlots: readonly ServedSlot[] };
}

export interface RestoreProductionRun {
  type: 'RestoreProductionRun';
  productionRunId: string;
  reason: string;
  at: IsoInstant;
  refs: { tracer: TracerState };
}

export type ProductionRunCommand =
  ScheduleProductionRun | UpdateProductionRun | ArchiveProductionRun | RestoreProductionRun;

// Events

export interface ProductionRunScheduledData extends ProductionRunDetails {
  productionRunId: string;
  tracerId: string;
  weekday: IsoWeekday;
  legacyId: number;
}
export interface ProductionRunUpdatedData {
  productionRunId: string;
  changes: FieldChanges<ProductionRunDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface ProductionRunArchivedData {
  productionRunId: string;
  reason: string;
}
export interface ProductionRunRestoredData {
  productionRunId: string;
  reason: string;
}

export type ProductionRunScheduled = DomainEvent<'ProductionRunScheduled', ProductionRunScheduledData>;
export type ProductionRunUpdated = DomainEvent<'ProductionRunUpdated', ProductionRunUpdatedData>;
export type ProductionRunArchived = DomainEvent<'ProductionRunArchived', ProductionRunArchivedData>;
export type ProductionRunRestored = DomainEvent<'ProductionRunRestored', ProductionRunRestoredData>;
export type ProductionRunEvent =
  ProductionRunScheduled | ProductionRunUpdated | ProductionRunArchived | ProductionRunRestored;

// Rules

/** A slot is delivered from its run's production, so it must come strictly later the same day. */
export function requireDeliveryAfterProduction(
  deliveryTime: ClockTime,
  productionTime: ClockTime,
  ids: { slotId: string; productionRunId: string },
): void {
  if (deliveryTime <= productionTime) {
    throw ruleViolated(
      'SLOT_BEFORE_PRODUCTION_RUN',
      `Delivery at ${deliveryTime} is not after production at ${productionTime}`,
      { field: 'deliveryTime', deliveryTime, productionTime, ...ids },
    );
  }
}

function validDetails(details: ProductionRunDetailsInput): ProductionRunDetails {
  return {
    productionTime: requireClockTime(details.productionTime, 'productionTime'),
    // Legacy `productionTimes.run` is a TINYINT.
    runNumber: requireInteger(details.runNumber, 'runNumber', { min: 1, max: 127, code: 'INVALID_RUN_NUMBER' }),
    maxActivityMBq: optionalPositiveNumber(details.maxActivityMBq, 'maxActivityMBq', 'INVALID_MAX_ACTIVITY'),
  };
}

const detailsOf = (run: ProductionRunDetailsInput): ProductionRunDetails => ({
  productionTime: run.productionTime,
  runNumber: run.runNumber,
  maxActivityMBq: run.maxActivityMBq ?? null,
});

const scheduledDataOf = (run: ProductionRun): Omit<ProductionRunScheduledData, 'legacyId'> => ({
  productionRunId: run.id,
  tracerId: run.tracerId,
  weekday: run.weekday,
  ...detailsOf(run),
});

export function productionRunNameClaims(state: ProductionRunState): NameClaimRef[] {
  if (state.status === 'absent') return [];
  return [
    nameClaimOf.productionRunSchedule(state.tracerId, state.weekday, state.productionTime),
    nameClaimOf.legacyId('productionTimes', state.legacyId),
    // One active run per number on a weekday: the old system's order rows name their run by
    // number, and its lookups of a run by weekday and number must find one. An archived run gives
    // its number up; restoring it claims the number again.
    ...(state.status === 'active'
      ? [nameClaimOf.productionRunNumber(state.tracerId, state.weekday, state.runNumber)]
      : []),
  ];
}

/** Production runs make activity for delivery slots; injection tracers are ordered at a free time. */
function requireActivityTracer(tracer: TracerState & { status: 'active' }): void {
  if (tracer.kind !== 'activity') {
    throw ruleViolated('TRACER_NOT_ACTIVITY_BASED', `Tracer ${tracer.id} is ordered by injections, not activity`, {
      field: 'tracerId',
      tracerId: tracer.id,
      kind: tracer.kind,
    });
  }
}

// Decider

const initialState = (): ProductionRunState => ({ status: 'absent' });

function evolve(state: ProductionRunState, event: ProductionRunEvent): ProductionRunState {
  if (event.type === 'ProductionRunScheduled') {
    const { productionRunId, ...run } = event.data;
    return { status: 'active', id: productionRunId, ...run };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ProductionRunUpdated':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'ProductionRunArchived':
      return { ...state, status: 'archived' };
    case 'ProductionRunRestored':
      return { ...state, status: 'active' };
  }
}

function decide(command: ProductionRunCommand, state: ProductionRunState): ProductionRunEvent[] {
  requireInstant(command.at);
  const productionRunId = requireId(command.productionRunId, 'productionRunId');
  switch (command.type) {
    case 'ScheduleProductionRun': {
      const scheduled: Omit<ProductionRunScheduledData, 'legacyId'> = {
        productionRunId,
        tracerId: requireId(command.tracerId, 'tracerId'),
        weekday: requireWeekday(command.weekday, 'weekday'),
        ...validDetails(detailsOf(command)),
      };
      if (state.status !== 'absent') {
        if (!sameValue(scheduledDataOf(state), scheduled)) throw alreadyExists('PRODUCTION_RUN', productionRunId);
        // The same record again: it keeps the legacy id it holds.
        return [];
      }
      const legacyId = requireLegacyId(command.legacyId);
      requireActiveReference(command.refs.tracer, 'TRACER', scheduled.tracerId, 'tracerId');
      requireActivityTracer(command.refs.tracer);
      return [{ type: 'ProductionRunScheduled', data: { ...scheduled, legacyId } }];
    }
    case 'UpdateProductionRun': {
      requireActive(state, 'PRODUCTION_RUN', productionRunId);
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      if (changes.productionTime) {
        for (const slot of command.refs.servedSlots) {
          requireDeliveryAfterProduction(slot.deliveryTime, changes.productionTime.to, {
            slotId: slot.slotId,
            productionRunId,
          });
        }
      }
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'ProductionRunUpdated',
        data: { productionRunId, changes, reason },
      }));
    }
    case 'ArchiveProductionRun': {
      const events = archiveOnce(state, 'PRODUCTION_RUN', productionRunId, command.reason, (reason) => ({
        type: 'ProductionRunArchived' as const,
        data: { productionRunId, reason },
      }));
      // Slots must not point at a run that no longer produces; their archive comes first.
      if (events.length > 0 && command.refs.servedSlots.length > 0) {
        throw ruleViolated('PRODUCTION_RUN_HAS_ACTIVE_SLOTS', 'Archive the slots this run serves first', {
          productionRunId,
          slotIds: command.refs.servedSlots.map((slot) => slot.slotId),
        });
      }
      return events;
    }
    case 'RestoreProductionRun':
      return restoreOnce(
        state,
        'PRODUCTION_RUN',
        productionRunId,
        command.reason,
        (reason) => ({ type: 'ProductionRunRestored', data: { productionRunId, reason } }),
        (run) => {
          requireActiveReference(command.refs.tracer, 'TRACER', run.tracerId, 'tracerId');
          requireActivityTracer(command.refs.tracer);
        },
      );
  }
}

export const productionRunDecider: Decider<ProductionRunCommand, ProductionRunEvent, ProductionRunState> = {
  initialState,
  evolve,
  decide,
};
