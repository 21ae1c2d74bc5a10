import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
import {
  changedFields,
  requireActiveReference,
  requireBoolean,
  requireId,
  requireInstant,
  requireInteger,
  updateWithReason,
  type DeliveryEndpointState,
  type FieldChanges,
  type IsoInstant,
  type TracerKind,
  type TracerState,
} from '../catalog';
import { requireProcedureCode } from './booking-fields';

/**
 * What a procedure needs at an endpoint: which tracer, how much of it per study, and how long after
 * the study starts it is injected. One stream per (procedure code, endpoint); each part is
 * URI-encoded and `:` (which encoding escapes) joins them, so no two pairs share a stream.
 */
export const procedureId = (procedureCode: string, endpointId: string) =>
  `${encodeURIComponent(procedureCode)}:${encodeURIComponent(endpointId)}`;

export const procedureStreamName = (procedureCode: string, endpointId: string) =>
  `bookings.procedure-${procedureId(procedureCode, endpointId)}`;

/** The most a single study may ask for, as an order may: MBq for activity tracers, injections otherwise. */
export const tracerUnitLimits: Readonly<Record<TracerKind, { min: number; max: number }>> = {
  activity: { min: 1, max: 100_000 },
  injection: { min: 1, max: 127 },
};

export interface ProcedureDetails {
  tracerId: string;
  /** MBq per study for activity tracers (at injection time); a whole number of injections otherwise. */
  tracerUnits: number;
  /** Minutes from the study's start to the injection. */
  delayMinutes: number;
  /** A PET procedure (the current system's `is_pet`). */
  isPet: boolean;
}

export interface Procedure extends ProcedureDetails {
  procedureCode: string;
  endpointId: string;
}

export type ProcedureState = { status: 'absent' } | (Procedure & { status: 'defined' });

// Commands

export interface DefineProcedure extends ProcedureDetails {
  type: 'DefineProcedure';
  procedureCode: string;
  endpointId: string;
  /**
   * Why the definition changes (GMP: Annex 11 §9): required when a defined procedure's values
   * change; a first definition needs none.
   */
  reason?: string;
  at: IsoInstant;
  /** Loaded by the handler: the endpoint and the tracer must be active; the tracer's kind sets the units. */
  refs: { endpoint: DeliveryEndpointState; tracer: TracerState };
}

export type ProcedureCommand = DefineProcedure;

// Events

export type ProcedureDefinedData = Procedure;
export interface ProcedureUpdatedData extends Procedure {
  /** Old and new value of each changed field. */
  changes: FieldChanges<ProcedureDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}

export type ProcedureDefined = DomainEvent<'ProcedureDefined', ProcedureDefinedData>;
export type ProcedureUpdated = DomainEvent<'ProcedureUpdated', ProcedureUpdatedData>;
export type ProcedureEvent = ProcedureDefined | ProcedureUpdated;

// Rules

function requireTracerUnits(value: unknown, kind: TracerKind): number {
  const { min, max } = tracerUnitLimits[kind];
  if (kind === 'injection') {
    return requireInteger(value, 'tracerUnits', { min, max, code: 'INVALID_TRACER_UNITS' });
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw ruleViolated('INVALID_TRACER_UNITS', `tracerUnits must be from ${min} to ${max} MBq`, {
      field: 'tracerUnits',
      value,
      min,
      max,
    });
  }
  return value;
}

const detailsOf = (procedure: ProcedureDetails): ProcedureDetails => ({
  tracerId: procedure.tracerId,
  tracerUnits: procedure.tracerUnits,
  delayMinutes: procedure.delayMinutes,
  isPet: procedure.isPet,
});

// Decider

const initialState = (): ProcedureState => ({ status: 'absent' });

function evolve(_state: ProcedureState, event: ProcedureEvent): ProcedureState {
  const { procedureCode, endpointId, ...details } = event.data;
  return { status: 'defined', procedureCode, endpointId, ...detailsOf(details) };
}

function decide(command: ProcedureCommand, state: ProcedureState): ProcedureEvent[] {
  requireInstant(command.at);
  const procedureCode = requireProcedureCode(command.procedureCode);
  const endpointId = requireId(command.endpointId, 'endpointId');
  const tracerId = requireId(command.tracerId, 'tracerId');
  const { endpoint, tracer } = command.refs;
  requireActiveReference(endpoint, 'DELIVERY_ENDPOINT', endpointId, 'endpointId');
  requireActiveReference(tracer, 'TRACER', tracerId, 'tracerId');
  const details: ProcedureDetails = {
    tracerId,
    tracerUnits: requireTracerUnits(command.tracerUnits, tracer.kind),
    delayMinutes: requireInteger(command.delayMinutes, 'delayMinutes', {
      min: 0,
      max: 24 * 60,
      code: 'INVALID_DELAY',
    }),
    isPet: requireBoolean(command.isPet, 'isPet'),
  };
  if (state.status === 'absent') {
    return [{ type: 'ProcedureDefined', data: { procedureCode, endpointId, ...details } }];
  }
  const changes = changedFields(detailsOf(state), details);
  return updateWithReason(changes, command.reason, (reason) => ({
    type: 'ProcedureUpdated',
    data: { procedureCode, endpointId, ...details, changes, reason },
  }));
}

export const procedureDecider: Decider<ProcedureCommand, ProcedureEvent, ProcedureState> = {
  initialState,
  evolve,
  decide,
};
