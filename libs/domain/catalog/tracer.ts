import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from './calendar';
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
  maxLength,
  requireBoolean,
  requireId,
  requireInstant,
  requireInteger,
  requireOneOf,
  requireText,
} from './field-validation';
import { type IsotopeState } from './isotope';
import { nameClaimOf, type NameClaimRef } from './name-claim';
import { requireLegacyId } from '../legacy/legacy-id-block';

export const tracerStreamName = (tracerId: string) => `catalog.tracer-${tracerId}`;

/** `activity`: ordered in MBq per delivery slot (FDG). `injection`: a number of injections at a free time. */
export const tracerKinds = ['activity', 'injection'] as const;
export type TracerKind = (typeof tracerKinds)[number];

/** Legacy `Tracers` columns the new model has no use for; kept so the legacy projection can write them back. */
export interface TracerLegacyAttributes {
  /** `Tracers.order_block` ("lås bestilling"); its unit is undocumented. */
  orderBlock: number | null;
  /** `Tracers.n_injections`; the legacy −1 ("unset") becomes null. */
  injections: number | null;
}

export interface TracerDetails {
  /** Legacy `Tracers.name` (`FDG`, `NH3`). */
  shortName: string;
  /** Printed on release documents (legacy `Tracers.longName`). */
  clinicalName: string;
  /** The lot-number prefix: lots read `<vialTag>-YYMMDD-n`. */
  vialTag: string;
  /** Marketed: the shop offers only tracers in use (legacy `Tracers.in_use`). */
  inUse: boolean;
  legacy: TracerLegacyAttributes | null;
}

export interface Tracer extends TracerDetails {
  id: string;
  isotopeId: string;
  /** Fixed at registration: orders of one kind cannot become orders of the other. */
  kind: TracerKind;
  /** Legacy `Tracers.id`, fixed for life (see libs/domain/legacy). */
  legacyId: number;
}

export type TracerState = EntityState<Tracer>;

// Commands

export interface RegisterTracer {
  type: 'RegisterTracer';
  tracerId: string;
  shortName: string;
  clinicalName: string;
  isotopeId: string;
  kind: TracerKind;
  vialTag: string;
  inUse: boolean;
  legacy?: TracerLegacyAttributes | null;
  /** Legacy `Tracers.id`: allocated by the handler, or given for a row carried over from the old system. */
  legacyId: number;
  at: IsoInstant;
  refs: { isotope: IsotopeState };
}

export interface UpdateTracer {
  type: 'UpdateTracer';
  tracerId: string;
  changes: Partial<TracerDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
}

/** A correction of a wrongly entered isotope; its own command because it needs the new isotope's state. */
export interface ChangeTracerIsotope {
  type: 'ChangeTracerIsotope';
  tracerId: string;
  isotopeId: string;
  at: IsoInstant;
  refs: { isotope: IsotopeState };
}

export interface ArchiveTracer {
  type: 'ArchiveTracer';
  tracerId: string;
  reason: string;
  at: IsoInstant;
}

export interface RestoreTracer {
  type: 'RestoreTracer';
  tracerId: string;
  reason: string;
  at: IsoInstant;
  refs: { isotope: IsotopeState };
}

export type TracerCommand = RegisterTracer | UpdateTracer | ChangeTracerIsotope | ArchiveTracer | RestoreTracer;

// Events

export interface TracerRegisteredData extends TracerDetails {
  tracerId: string;
  isotopeId: string;
  kind: TracerKind;
  legacyId: number;
}
export interface TracerUpdatedData {
  tracerId: string;
  changes: FieldChanges<TracerDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface TracerIsotopeChangedData {
  tracerId: string;
  from: string;
  to: string;
}
export interface TracerArchivedData {
  tracerId: string;
  reason: string;
}
export interface TracerRestoredData {
  tracerId: string;
  reason: string;
}

export type TracerRegistered = DomainEvent<'TracerRegistered', TracerRegisteredData>;
export type TracerUpdated = DomainEvent<'TracerUpdated', TracerUpdatedData>;
export type TracerIsotopeChanged = DomainEvent<'TracerIsotopeChanged', TracerIsotopeChangedData>;
export type TracerArchived = DomainEvent<'TracerArchived', TracerArchivedData>;
export type TracerRestored = DomainEvent<'TracerRestored', TracerRestoredData>;
export type TracerEvent = TracerRegistered | TracerUpdated | TracerIsotopeChanged | TracerArchived | TracerRestored;

// Rules

// Ten characters: the lot number `<tag>-YYMMDD-nn` must fit legacy `VAL.charge` VARCHAR(20).
const VIAL_TAG_PATTERN = /^[A-Za-z0-9]{1,10}$/;
const LEGACY_INT = { min: -2_147_483_648, max: 2_147_483_647, code: 'INVALID_LEGACY_ATTRIBUTE' };

function validLegacy(legacy: TracerLegacyAttributes | null | undefined): TracerLegacyAttributes | null {
  if (legacy === undefined || legacy === null) return null;
  const optionalInt = (value: unknown, field: string) =>
    value === undefined || value === null ? null : requireInteger(value, field, LEGACY_INT);
  return {
    orderBlock: optionalInt(legacy.orderBlock, 'legacy.orderBlock'),
    injections: optionalInt(legacy.injections, 'legacy.injections'),
  };
}

function validDetails(details: TracerDetails): TracerDetails {
  const vialTag = typeof details.vialTag === 'string' ? details.vialTag.trim() : '';
  if (!VIAL_TAG_PATTERN.test(vialTag)) {
    throw ruleViolated('INVALID_VIAL_TAG', 'vialTag must be 1–10 letters or digits', {
      field: 'vialTag',
      value: vialTag,
    });
  }
  return {
    shortName: requireText(details.shortName, 'shortName', maxLength.name),
    clinicalName: requireText(details.clinicalName, 'clinicalName', maxLength.longText),
    vialTag,
    inUse: requireBoolean(details.inUse, 'inUse'),
    legacy: validLegacy(details.legacy),
  };
}

const detailsOf = ({ shortName, clinicalName, vialTag, inUse, legacy }: TracerDetails): TracerDetails => ({
  shortName,
  clinicalName,
  vialTag,
  inUse,
  legacy,
});

const registeredDataOf = (tracer: Tracer): Omit<TracerRegisteredData, 'legacyId'> => ({
  tracerId: tracer.id,
  isotopeId: tracer.isotopeId,
  kind: tracer.kind,
  ...detailsOf(tracer),
});

/** Held whatever the tracer's status: an archived tracer's lots still name it by its tag. */
export function tracerNameClaims(state: TracerState): NameClaimRef[] {
  if (state.status === 'absent') return [];
  return [
    nameClaimOf.tracerShortName(state.shortName),
    nameClaimOf.tracerVialTag(state.vialTag),
    nameClaimOf.legacyId('Tracers', state.legacyId),
  ];
}

// Decider

const initialState = (): TracerState => ({ status: 'absent' });

function evolve(state: TracerState, event: TracerEvent): TracerState {
  if (event.type === 'TracerRegistered') {
    const { tracerId, ...tracer } = event.data;
    return { status: 'active', id: tracerId, ...tracer };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'TracerUpdated':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'TracerIsotopeChanged':
      return { ...state, isotopeId: event.data.to };
    case 'TracerArchived':
      return { ...state, status: 'archived' };
    case 'TracerRestored':
      return { ...state, status: 'active' };
  }
}

function decide(command: TracerCommand, state: TracerState): TracerEvent[] {
  requireInstant(command.at);
  const tracerId = requireId(command.tracerId, 'tracerId');
  switch (command.type) {
    case 'RegisterTracer': {
      const registered: Omit<TracerRegisteredData, 'legacyId'> = {
        tracerId,
        isotopeId: requireId(command.isotopeId, 'isotopeId'),
        kind: requireOneOf(command.kind, tracerKinds, 'kind', 'INVALID_TRACER_KIND'),
        ...validDetails(detailsOf({ ...command, legacy: command.legacy ?? null })),
      };
      if (state.status !== 'absent') {
        if (!sameValue(registeredDataOf(state), registered)) throw alreadyExists('TRACER', tracerId);
        // The same record again: it keeps the legacy id it holds.
        return [];
      }
      const legacyId = requireLegacyId(command.legacyId);
      requireActiveReference(command.refs.isotope, 'ISOTOPE', registered.isotopeId, 'isotopeId');
      return [{ type: 'TracerRegistered', data: { ...registered, legacyId } }];
    }
    case 'UpdateTracer': {
      requireActive(state, 'TRACER', tracerId);
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'TracerUpdated',
        data: { tracerId, changes, reason },
      }));
    }
    case 'ChangeTracerIsotope': {
      requireActive(state, 'TRACER', tracerId);
      const isotopeId = requireId(command.isotopeId, 'isotopeId');
      if (isotopeId === state.isotopeId) return [];
      requireActiveReference(command.refs.isotope, 'ISOTOPE', isotopeId, 'isotopeId');
      return [{ type: 'TracerIsotopeChanged', data: { tracerId, from: state.isotopeId, to: isotopeId } }];
    }
    case 'ArchiveTracer':
      return archiveOnce(state, 'TRACER', tracerId, command.reason, (reason) => ({
        type: 'TracerArchived',
        data: { tracerId, reason },
      }));
    case 'RestoreTracer':
      return restoreOnce(
        state,
        'TRACER',
        tracerId,
        command.reason,
        (reason) => ({ type: 'TracerRestored', data: { tracerId, reason } }),
        (tracer) => requireActiveReference(command.refs.isotope, 'ISOTOPE', tracer.isotopeId, 'isotopeId'),
      );
  }
}

export const tracerDecider: Decider<TracerCommand, TracerEvent, TracerState> = { initialState, evolve, decide };
