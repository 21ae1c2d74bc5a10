import { notFound, ruleViolated, conflict, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from '../catalog/calendar';
import {
  applyChanges,
  changedFields,
  hasChanges,
  mergeChanges,
  sameValue,
  type FieldChanges,
} from '../catalog/field-changes';
import {
  requireId,
  requireInstant,
  requireInteger,
  requireOneOf,
  requireReason,
  requireText,
} from '../catalog/field-validation';
import { requireHost } from './network-host';

/**
 * A system we exchange data with: the hospital worklist feed (HL7 over MLLP), the vial dispenser's
 * share, an export target. Its address is configuration under change control (Annex 11 §10), so
 * every change is an event with old and new values.
 */
export const serviceEndpointStreamName = (endpointId: string) => `identity.serviceEndpoint-${endpointId}`;

export const serviceProtocols = ['hl7-mllp', 'smb', 'http', 'https', 'ftp', 'sftp'] as const;
export type ServiceProtocol = (typeof serviceProtocols)[number];

const NAME_MAX = 100;

export interface ServiceEndpointDetails {
  name: string;
  host: string;
  port: number;
  protocol: ServiceProtocol;
}

export interface ServiceEndpoint extends ServiceEndpointDetails {
  endpointId: string;
}

export type ServiceEndpointState =
  { status: 'absent' } | (ServiceEndpoint & { status: 'active' }) | (ServiceEndpoint & { status: 'archived' });

// Commands

export interface RegisterServiceEndpoint extends ServiceEndpointDetails {
  type: 'RegisterServiceEndpoint';
  endpointId: string;
  at: IsoInstant;
}

export interface ChangeServiceEndpoint {
  type: 'ChangeServiceEndpoint';
  endpointId: string;
  changes: Partial<ServiceEndpointDetails>;
  at: IsoInstant;
}

/** The reason goes into the envelope. */
export interface ArchiveServiceEndpoint {
  type: 'ArchiveServiceEndpoint';
  endpointId: string;
  reason: string;
  at: IsoInstant;
}

export type ServiceEndpointCommand = RegisterServiceEndpoint | ChangeServiceEndpoint | ArchiveServiceEndpoint;

// Events

export interface ServiceEndpointRegisteredData extends ServiceEndpointDetails {
  endpointId: string;
}
export interface ServiceEndpointChangedData {
  endpointId: string;
  changes: FieldChanges<ServiceEndpointDetails>;
}
export interface ServiceEndpointArchivedData {
  endpointId: string;
}

export type ServiceEndpointRegistered = DomainEvent<'ServiceEndpointRegistered', ServiceEndpointRegisteredData>;
export type ServiceEndpointChanged = DomainEvent<'ServiceEndpointChanged', ServiceEndpointChangedData>;
export type ServiceEndpointArchived = DomainEvent<'ServiceEndpointArchived', ServiceEndpointArchivedData>;
export type ServiceEndpointEvent = ServiceEndpointRegistered | ServiceEndpointChanged | ServiceEndpointArchived;

// Rules

function validDetails(details: Partial<ServiceEndpointDetails>): ServiceEndpointDetails {
  return {
    name: requireText(details.name, 'name', NAME_MAX),
    host: requireHost(details.host),
    port: requireInteger(details.port, 'port', { min: 1, max: 65_535, code: 'INVALID_PORT' }),
    protocol: requireOneOf(details.protocol, serviceProtocols, 'protocol', 'INVALID_PROTOCOL'),
  };
}

const detailsOf = (endpoint: ServiceEndpointDetails): ServiceEndpointDetails => ({
  name: endpoint.name,
  host: endpoint.host,
  port: endpoint.port,
  protocol: endpoint.protocol,
});

function requirePresent(state: ServiceEndpointState, endpointId: string) {
  if (state.status === 'absent') {
    throw notFound('SERVICE_ENDPOINT_NOT_FOUND', `The service endpoint ${endpointId} does not exist`, {
      id: endpointId,
    });
  }
  return state;
}

// Decider

const initialState = (): ServiceEndpointState => ({ status: 'absent' });

function evolve(state: ServiceEndpointState, event: ServiceEndpointEvent): ServiceEndpointState {
  if (event.type === 'ServiceEndpointRegistered') return { status: 'active', ...event.data };
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ServiceEndpointChanged':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'ServiceEndpointArchived':
      return { ...state, status: 'archived' };
  }
}

function decide(command: ServiceEndpointCommand, state: ServiceEndpointState): ServiceEndpointEvent[] {
  requireInstant(command.at);
  const endpointId = requireId(command.endpointId, 'endpointId');
  switch (command.type) {
    case 'RegisterServiceEndpoint': {
      const details = validDetails(command);
      if (state.status === 'absent') return [{ type: 'ServiceEndpointRegistered', data: { endpointId, ...details } }];
      if (sameValue(detailsOf(state), details)) return [];
      throw conflict('ALREADY_EXISTS', `A different service endpoint with id ${endpointId} already exists`, {
        entity: 'SERVICE_ENDPOINT',
        id: endpointId,
      });
    }
    case 'ChangeServiceEndpoint': {
      const endpoint = requirePresent(state, endpointId);
      if (endpoint.status === 'archived') {
        throw ruleViolated('SERVICE_ENDPOINT_ARCHIVED', `The service endpoint ${endpointId} is archived`, {
          id: endpointId,
        });
      }
      const current = detailsOf(endpoint);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      return hasChanges(changes) ? [{ type: 'ServiceEndpointChanged', data: { endpointId, changes } }] : [];
    }
    case 'ArchiveServiceEndpoint': {
      requireReason(command.reason);
      return requirePresent(state, endpointId).status === 'archived'
        ? []
        : [{ type: 'ServiceEndpointArchived', data: { endpointId } }];
    }
  }
}

export const serviceEndpointDecider: Decider<ServiceEndpointCommand, ServiceEndpointEvent, ServiceEndpointState> = {
  initialState,
  evolve,
  decide,
};
