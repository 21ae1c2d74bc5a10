import { type Decider, type DomainEvent } from '../kernel';
import {
  maxLength,
  optionalText,
  requireActiveReference,
  requireId,
  requireInstant,
  requireReason,
  type DeliveryEndpointState,
  type IsoInstant,
} from '../catalog';
import { requireLocationCode } from './booking-fields';

/**
 * Production maps a RIS room code to the delivery endpoint that serves it. Until then (or after
 * an unmapping) the room has no endpoint, and its bookings cannot be ordered.
 */
export const locationMappingStreamName = (locationCode: string) =>
  `bookings.location-${encodeURIComponent(locationCode)}`;

export interface LocationMappingState {
  locationCode: string | null;
  endpointId: string | null;
}

// Commands

export interface MapLocation {
  type: 'MapLocation';
  locationCode: string;
  /** `null` unmaps the room. */
  endpointId: string | null;
  /**
   * Why (GMP: Annex 11 §9): required when the room was mapped before, since a new mapping changes
   * which endpoint its bookings are ordered for; optional for the room's first mapping.
   */
  reason?: string;
  at: IsoInstant;
  /** The endpoint named, loaded by the handler; null when unmapping. */
  refs: { endpoint: DeliveryEndpointState | null };
}

export type LocationMappingCommand = MapLocation;

// Events

export interface LocationMappedData {
  locationCode: string;
  endpointId: string | null;
  /** The mapping it replaces: the audit trail keeps old and new. */
  previousEndpointId: string | null;
  /**
   * Why the mapping changed; null on a room's first mapping made without one, and on a mapping
   * recorded before a reason was required (version 1).
   */
  reason: string | null;
}

export type LocationMapped = DomainEvent<'LocationMapped', LocationMappedData>;
export type LocationMappingEvent = LocationMapped;

// Decider

const initialState = (): LocationMappingState => ({ locationCode: null, endpointId: null });

function evolve(_state: LocationMappingState, event: LocationMappingEvent): LocationMappingState {
  return { locationCode: event.data.locationCode, endpointId: event.data.endpointId };
}

function decide(command: LocationMappingCommand, state: LocationMappingState): LocationMappingEvent[] {
  requireInstant(command.at);
  const locationCode = requireLocationCode(command.locationCode);
  const endpointId = command.endpointId === null ? null : requireId(command.endpointId, 'endpointId');
  if (endpointId === state.endpointId) return [];
  const firstMapping = state.locationCode === null;
  const reason = firstMapping
    ? optionalText(command.reason, 'reason', maxLength.reason)
    : requireReason(command.reason);
  if (endpointId !== null) {
    requireActiveReference(
      command.refs.endpoint ?? { status: 'absent' },
      'DELIVERY_ENDPOINT',
      endpointId,
      'endpointId',
    );
  }
  return [{ type: 'LocationMapped', data: { locationCode, endpointId, previousEndpointId: state.endpointId, reason } }];
}

export const locationMappingDecider: Decider<LocationMappingCommand, LocationMappingEvent, LocationMappingState> = {
  initialState,
  evolve,
  decide,
};
