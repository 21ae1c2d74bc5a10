import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from './calendar';
import { type CustomerState } from './customer';
import {
  alreadyExists,
  archiveOnce,
  referenceMismatch,
  requireActive,
  requireActiveReference,
  restoreOnce,
  updateWithReason,
  type EntityState,
} from './entity-lifecycle';
import { applyChanges, changedFields, mergeChanges, sameValue, type FieldChanges } from './field-changes';
import { maxLength, optionalPhone, optionalText, requireId, requireInstant, requireText } from './field-validation';

export const deliveryEndpointStreamName = (endpointId: string) => `catalog.deliveryEndpoint-${endpointId}`;

/** Where a customer takes deliveries. Orders, slots and catalogue pages belong to an endpoint. */
export interface DeliveryEndpointDetails {
  name: string;
  address: string | null;
  city: string | null;
  zip: string | null;
  phone: string | null;
}

export interface DeliveryEndpoint extends DeliveryEndpointDetails {
  id: string;
  /** Fixed: an endpoint's orders and slots stay with the customer that had them. */
  customerId: string;
}

export type DeliveryEndpointState = EntityState<DeliveryEndpoint>;

type OptionalDetails = 'address' | 'city' | 'zip' | 'phone';
export type DeliveryEndpointDetailsInput = Omit<DeliveryEndpointDetails, OptionalDetails> &
  Partial<Pick<DeliveryEndpointDetails, OptionalDetails>>;

// Commands

export interface RegisterDeliveryEndpoint extends DeliveryEndpointDetailsInput {
  type: 'RegisterDeliveryEndpoint';
  endpointId: string;
  customerId: string;
  at: IsoInstant;
  refs: { customer: CustomerState };
}

export interface UpdateDeliveryEndpoint {
  type: 'UpdateDeliveryEndpoint';
  endpointId: string;
  changes: Partial<DeliveryEndpointDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
}

export interface ArchiveDeliveryEndpoint {
  type: 'ArchiveDeliveryEndpoint';
  endpointId: string;
  reason: string;
  at: IsoInstant;
  /**
   * A customer has one or more endpoints. The handler lists the customer's other active endpoints
   * from the catalogue read model, since no stream holds them all.
   */
  refs: { customer: CustomerState; otherActiveEndpointIds: readonly string[] };
}

export interface RestoreDeliveryEndpoint {
  type: 'RestoreDeliveryEndpoint';
  endpointId: string;
  reason: string;
  at: IsoInstant;
  refs: { customer: CustomerState };
}

export type DeliveryEndpointCommand =
  RegisterDeliveryEndpoint | UpdateDeliveryEndpoint | ArchiveDeliveryEndpoint | RestoreDeliveryEndpoint;

// Events

export interface DeliveryEndpointRegisteredData extends DeliveryEndpointDetails {
  endpointId: string;
  customerId: string;
}
export interface DeliveryEndpointUpdatedData {
  endpointId: string;
  changes: FieldChanges<DeliveryEndpointDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface DeliveryEndpointArchivedData {
  endpointId: string;
  reason: string;
}
export interface DeliveryEndpointRestoredData {
  endpointId: string;
  reason: string;
}

export type DeliveryEndpointRegistered = DomainEvent<'DeliveryEndpointRegistered', DeliveryEndpointRegisteredData>;
export type DeliveryEndpointUpdated = DomainEvent<'DeliveryEndpointUpdated', DeliveryEndpointUpdatedData>;
export type DeliveryEndpointArchived = DomainEvent<'DeliveryEndpointArchived', DeliveryEndpointArchivedData>;
export type DeliveryEndpointRestored = DomainEvent<'DeliveryEndpointRestored', DeliveryEndpointRestoredData>;
export type DeliveryEndpointEvent =
  DeliveryEndpointRegistered | DeliveryEndpointUpdated | DeliveryEndpointArchived | DeliveryEndpointRestored;

// Rules

function validDetails(details: DeliveryEndpointDetailsInput): DeliveryEndpointDetails {
  return {
    name: requireText(details.name, 'name', maxLength.name),
    address: optionalText(details.address, 'address', maxLength.name),
    city: optionalText(details.city, 'city', maxLength.name),
    zip: optionalText(details.zip, 'zip', maxLength.zip),
    phone: optionalPhone(details.phone, 'phone'),
  };
}

const detailsOf = (endpoint: DeliveryEndpointDetailsInput): DeliveryEndpointDetails => ({
  name: endpoint.name,
  address: endpoint.address ?? null,
  city: endpoint.city ?? null,
  zip: endpoint.zip ?? null,
  phone: endpoint.phone ?? null,
});

// Decider

const initialState = (): DeliveryEndpointState => ({ status: 'absent' });

function evolve(state: DeliveryEndpointState, event: DeliveryEndpointEvent): DeliveryEndpointState {
  if (event.type === 'DeliveryEndpointRegistered') {
    const { endpointId, ...endpoint } = event.data;
    return { status: 'active', id: endpointId, ...endpoint };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'DeliveryEndpointUpdated':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'DeliveryEndpointArchived':
      return { ...state, status: 'archived' };
    case 'DeliveryEndpointRestored':
      return { ...state, status: 'active' };
  }
}

function decide(command: DeliveryEndpointCommand, state: DeliveryEndpointState): DeliveryEndpointEvent[] {
  requireInstant(command.at);
  const endpointId = requireId(command.endpointId, 'endpointId');
  switch (command.type) {
    case 'RegisterDeliveryEndpoint': {
      const registered: DeliveryEndpointRegisteredData = {
        endpointId,
        customerId: requireId(command.customerId, 'customerId'),
        ...validDetails(detailsOf(command)),
      };
      if (state.status !== 'absent') {
        const existing = { endpointId: state.id, customerId: state.customerId, ...detailsOf(state) };
        if (sameValue(existing, registered)) return [];
        throw alreadyExists('DELIVERY_ENDPOINT', endpointId);
      }
      requireActiveReference(command.refs.customer, 'CUSTOMER', registered.customerId, 'customerId');
      return [{ type: 'DeliveryEndpointRegistered', data: registered }];
    }
    case 'UpdateDeliveryEndpoint': {
      requireActive(state, 'DELIVERY_ENDPOINT', endpointId);
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'DeliveryEndpointUpdated',
        data: { endpointId, changes, reason },
      }));
    }
    case 'ArchiveDeliveryEndpoint': {
      const events = archiveOnce(state, 'DELIVERY_ENDPOINT', endpointId, command.reason, (reason) => ({
        type: 'DeliveryEndpointArchived' as const,
        data: { endpointId, reason },
      }));
      if (events.length > 0 && state.status !== 'absent') requireAnotherEndpoint(command, state.customerId);
      return events;
    }
    case 'RestoreDeliveryEndpoint':
      return restoreOnce(
        state,
        'DELIVERY_ENDPOINT',
        endpointId,
        command.reason,
        (reason) => ({ type: 'DeliveryEndpointRestored', data: { endpointId, reason } }),
        (endpoint) => requireActiveReference(command.refs.customer, 'CUSTOMER', endpoint.customerId, 'customerId'),
      );
  }
}

/** An active customer keeps at least one active endpoint; an archived customer may lose its last one. */
function requireAnotherEndpoint(command: ArchiveDeliveryEndpoint, customerId: string): void {
  const { customer, otherActiveEndpointIds } = command.refs;
  if (customer.status !== 'absent' && customer.id !== customerId) {
    throw referenceMismatch('customerId', customerId, customer.id);
  }
  const others = otherActiveEndpointIds.filter((id) => id !== command.endpointId);
  if (customer.status === 'active' && others.length === 0) {
    throw ruleViolated('LAST_DELIVERY_ENDPOINT', 'An active customer needs at least one active delivery endpoint', {
      customerId,
      endpointId: command.endpointId,
    });
  }
}

export const deliveryEndpointDecider: Decider<DeliveryEndpointCommand, DeliveryEndpointEvent, DeliveryEndpointState> = {
  initialState,
  evolve,
  decide,
};
