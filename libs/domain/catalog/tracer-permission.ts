import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from './calendar';
import { type DeliveryEndpointState } from './delivery-endpoint';
import {
  alreadyExists,
  requireActiveReference,
  requirePresent,
  updateWithReason,
  type EntityState,
} from './entity-lifecycle';
import { applyChanges, changedFields, mergeChanges, sameValue, type FieldChanges } from './field-changes';
import { requireId, requireInstant, requireInteger, requireReason } from './field-validation';
import { type TracerState } from './tracer';
import { requireLegacyId } from '../legacy/legacy-id-block';
import { nameClaimOf, type NameClaimRef } from './name-claim';

/**
 * The catalogue page: an endpoint may order a tracer. One stream per (endpoint, tracer) pair, so
 * the pair is unique without a name claim. Each id is URI-encoded and `:` (which encoding escapes)
 * joins them, so no two pairs share a stream.
 */
export const tracerPermissionId = (endpointId: string, tracerId: string) =>
  `${encodeURIComponent(endpointId)}:${encodeURIComponent(tracerId)}`;

export const tracerPermissionStreamName = (endpointId: string, tracerId: string) =>
  `catalog.tracerPermission-${tracerPermissionId(endpointId, tracerId)}`;

export interface TracerPermissionDetails {
  /** Overrides the customer's overhead for this tracer: amount × (1 + percent / 100). */
  overheadPercent: number | null;
  maxInjections: number | null;
}

export interface TracerPermission extends TracerPermissionDetails {
  id: string;
  endpointId: string;
  tracerId: string;
  /** Legacy `TracerCustomer.ID` of the latest grant, kept through a revoke. */
  legacyId: number;
}

/**
 * `archived` is a revoked permission. A later grant re-grants it: the pair is the identity, so
 * there is nothing else to restore.
 */
export type TracerPermissionState = EntityState<TracerPermission>;

// Commands

export interface GrantTracerPermission extends Partial<TracerPermissionDetails> {
  type: 'GrantTracerPermission';
  endpointId: string;
  tracerId: string;
  /**
   * Legacy `TracerCustomer.ID`, named by the handler: for the first grant allocated, or given for a
   * row carried over from the old system; for a re-grant the id the pair holds, unless the old
   * system granted it again with a row of its own, which the permission then takes over (one row
   * per permission, and a revoke removes the row the old system reads).
   */
  legacyId: number;
  at: IsoInstant;
  refs: { endpoint: DeliveryEndpointState; tracer: TracerState };
}

export interface UpdateTracerPermission {
  type: 'UpdateTracerPermission';
  endpointId: string;
  tracerId: string;
  /** `null` removes an override or a limit. */
  changes: Partial<TracerPermissionDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
}

export interface RevokeTracerPermission {
  type: 'RevokeTracerPermission';
  endpointId: string;
  tracerId: string;
  reason: string;
  at: IsoInstant;
}

export type TracerPermissionCommand = GrantTracerPermission | UpdateTracerPermission | RevokeTracerPermission;

// Events

export interface TracerPermissionGrantedData extends TracerPermissionDetails {
  endpointId: string;
  tracerId: string;
  legacyId: number;
}
export interface TracerPermissionUpdatedData {
  endpointId: string;
  tracerId: string;
  changes: FieldChanges<TracerPermissionDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface TracerPermissionRevokedData {
  endpointId: string;
  tracerId: string;
  reason: string;
}

export type TracerPermissionGranted = DomainEvent<'TracerPermissionGranted', TracerPermissionGrantedData>;
export type TracerPermissionUpdated = DomainEvent<'TracerPermissionUpdated', TracerPermissionUpdatedData>;
export type TracerPermissionRevoked = DomainEvent<'TracerPermissionRevoked', TracerPermissionRevokedData>;
export type TracerPermissionEvent = TracerPermissionGranted | TracerPermissionUpdated | TracerPermissionRevoked;

// Rules

function validDetails(details: Partial<TracerPermissionDetails>): TracerPermissionDetails {
  const optional = (value: unknown, field: string, range: { min: number; max: number; code: string }) =>
    value === undefined || value === null ? null : requireInteger(value, field, range);
  return {
    overheadPercent: optional(details.overheadPercent, 'overheadPercent', {
      min: 0,
      max: 1000,
      code: 'INVALID_OVERHEAD_PERCENT',
    }),
    maxInjections: optional(details.maxInjections, 'maxInjections', {
      min: 1,
      max: 1000,
      code: 'INVALID_MAX_INJECTIONS',
    }),
  };
}

const detailsOf = (permission: Partial<TracerPermissionDetails>): TracerPermissionDetails => ({
  overheadPercent: permission.overheadPercent ?? null,
  maxInjections: permission.maxInjections ?? null,
});

/** A revoked permission keeps its legacy id, so a re-grant cannot clash. */
export function tracerPermissionNameClaims(state: TracerPermissionState): NameClaimRef[] {
  return state.status === 'absent' ? [] : [nameClaimOf.legacyId('TracerCustomer', state.legacyId)];
}

// Decider

const initialState = (): TracerPermissionState => ({ status: 'absent' });

function evolve(state: TracerPermissionState, event: TracerPermissionEvent): TracerPermissionState {
  switch (event.type) {
    case 'TracerPermissionGranted': {
      const { endpointId, tracerId } = event.data;
      return { status: 'active', id: tracerPermissionId(endpointId, tracerId), ...event.data };
    }
    case 'TracerPermissionUpdated':
      return state.status === 'absent' ? state : { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'TracerPermissionRevoked':
      return state.status === 'absent' ? state : { ...state, status: 'archived' };
  }
}

function decide(command: TracerPermissionCommand, state: TracerPermissionState): TracerPermissionEvent[] {
  requireInstant(command.at);
  const endpointId = requireId(command.endpointId, 'endpointId');
  const tracerId = requireId(command.tracerId, 'tracerId');
  const id = tracerPermissionId(endpointId, tracerId);
  switch (command.type) {
    case 'GrantTracerPermission': {
      const details = validDetails(command);
      if (state.status === 'active') {
        if (sameValue(detailsOf(state), details)) return [];
        throw alreadyExists('TRACER_PERMISSION', id);
      }
      const legacyId = requireLegacyId(command.legacyId);
      requireActiveReference(command.refs.endpoint, 'DELIVERY_ENDPOINT', endpointId, 'endpointId');
      requireActiveReference(command.refs.tracer, 'TRACER', tracerId, 'tracerId');
      return [{ type: 'TracerPermissionGranted', data: { endpointId, tracerId, ...details, legacyId } }];
    }
    case 'UpdateTracerPermission': {
      requirePresent(state, 'TRACER_PERMISSION', id);
      if (state.status === 'archived') {
        throw ruleViolated('TRACER_PERMISSION_REVOKED', `Tracer ${tracerId} is no longer permitted at ${endpointId}`, {
          id,
        });
      }
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'TracerPermissionUpdated',
        data: { endpointId, tracerId, changes, reason },
      }));
    }
    case 'RevokeTracerPermission': {
      const reason = requireReason(command.reason);
      requirePresent(state, 'TRACER_PERMISSION', id);
      if (state.status === 'archived') return [];
      return [{ type: 'TracerPermissionRevoked', data: { endpointId, tracerId, reason } }];
    }
  }
}

export const tracerPermissionDecider: Decider<TracerPermissionCommand, TracerPermissionEvent, TracerPermissionState> = {
  initialState,
  evolve,
  decide,
};
