import { type Decider, type DomainEvent } from '../kernel';
import { type IsoInstant } from './calendar';
import {
  alreadyExists,
  archiveOnce,
  requireActive,
  restoreOnce,
  updateWithReason,
  type EntityState,
} from './entity-lifecycle';
import { applyChanges, changedFields, mergeChanges, sameValue, type FieldChanges } from './field-changes';
import {
  maxLength,
  optionalPhone,
  optionalText,
  requireEmails,
  requireId,
  requireInstant,
  requireInteger,
  requireText,
} from './field-validation';
import { nameClaimOf, type NameClaimRef } from './name-claim';
import { requireLegacyId } from '../legacy/legacy-id-block';

export const customerStreamName = (customerId: string) => `catalog.customer-${customerId}`;

/** Legacy `Users` columns the new model has no use for; kept so the legacy projection can write them back. */
export interface CustomerLegacyAttributes {
  /** `Users.title`, printed on delivery notes. */
  title: string | null;
  /** `Users.shortname`, printed on vial labels, when it differs from the login name. */
  labelName: string | null;
  /** `Users.addr3` and `addr4`; addr1 and addr2 are the billing address and city. */
  addressLine3: string | null;
  addressLine4: string | null;
}

/**
 * Two digits: what the old system's dispenser script carries through (legacy invariant V1). Every
 * customer is in the old system's tables while it runs beside Tracershop, and a longer number would
 * label another customer's vials there; the api refuses it.
 */
export const DISPENSER_NUMBER_MAX = 99;

export interface CustomerDetails {
  /** Legacy `Users.Username` (`herlev`). */
  shortName: string;
  /** Legacy `Users.Realname`. */
  longName: string;
  /**
   * The dispenser's customer number: legacy `Users.kundenr` and `VAL.customer`. Unique (legacy
   * invariant U1). The old system's dispenser script keeps only the first two digits (V1), so the
   * api gives new numbers 1–99 (`DISPENSER_NUMBER_MAX`); customers carried over from the old system
   * keep theirs (its test customer is 1015).
   */
  dispenserNumber: number;
  /** Added to activity orders: amount × (1 + percent / 100). Legacy `Users.overhead`. */
  overheadPercent: number;
  contactPerson: string | null;
  /** Release notes go here; legacy `EMail`…`EMail4`, so at most four. */
  emails: string[];
  phone: string | null;
  billingAddress: string | null;
  billingCity: string | null;
  billingZip: string | null;
  legacy: CustomerLegacyAttributes | null;
}

export interface Customer extends CustomerDetails {
  id: string;
  /** Legacy `Users.Id`, fixed for life; staff users share the id space (see libs/domain/legacy). */
  legacyId: number;
}

export type CustomerState = EntityState<Customer>;

type OptionalDetails =
  'contactPerson' | 'emails' | 'phone' | 'billingAddress' | 'billingCity' | 'billingZip' | 'legacy';
export type CustomerDetailsInput = Omit<CustomerDetails, OptionalDetails> &
  Partial<Pick<CustomerDetails, OptionalDetails>>;

// Commands

export interface RegisterCustomer extends CustomerDetailsInput {
  type: 'RegisterCustomer';
  customerId: string;
  /** Legacy `Users.Id`: allocated by the handler, or given for a row carried over from the old system. */
  legacyId: number;
  at: IsoInstant;
}

export interface UpdateCustomer {
  type: 'UpdateCustomer';
  customerId: string;
  changes: Partial<CustomerDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
}

export interface ArchiveCustomer {
  type: 'ArchiveCustomer';
  customerId: string;
  reason: string;
  at: IsoInstant;
}

export interface RestoreCustomer {
  type: 'RestoreCustomer';
  customerId: string;
  reason: string;
  at: IsoInstant;
}

export type CustomerCommand = RegisterCustomer | UpdateCustomer | ArchiveCustomer | RestoreCustomer;

// Events

export interface CustomerRegisteredData extends CustomerDetails {
  customerId: string;
  legacyId: number;
}
export interface CustomerUpdatedData {
  customerId: string;
  changes: FieldChanges<CustomerDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface CustomerArchivedData {
  customerId: string;
  reason: string;
}
export interface CustomerRestoredData {
  customerId: string;
  reason: string;
}

export type CustomerRegistered = DomainEvent<'CustomerRegistered', CustomerRegisteredData>;
export type CustomerUpdated = DomainEvent<'CustomerUpdated', CustomerUpdatedData>;
export type CustomerArchived = DomainEvent<'CustomerArchived', CustomerArchivedData>;
export type CustomerRestored = DomainEvent<'CustomerRestored', CustomerRestoredData>;
export type CustomerEvent = CustomerRegistered | CustomerUpdated | CustomerArchived | CustomerRestored;

// Rules

/** Legacy `Users.Realname` is CHAR(50). */
const LONG_NAME_MAX = 50;
function validLegacy(legacy: CustomerLegacyAttributes | null | undefined): CustomerLegacyAttributes | null {
  if (legacy === undefined || legacy === null) return null;
  return {
    title: optionalText(legacy.title, 'legacy.title', maxLength.name),
    labelName: optionalText(legacy.labelName, 'legacy.labelName', maxLength.shortText),
    addressLine3: optionalText(legacy.addressLine3, 'legacy.addressLine3', maxLength.name),
    addressLine4: optionalText(legacy.addressLine4, 'legacy.addressLine4', maxLength.name),
  };
}

function validDetails(details: CustomerDetailsInput): CustomerDetails {
  return {
    shortName: requireText(details.shortName, 'shortName', maxLength.shortText),
    longName: requireText(details.longName, 'longName', LONG_NAME_MAX),
    dispenserNumber: requireInteger(details.dispenserNumber, 'dispenserNumber', {
      min: 1,
      max: 2_147_483_647,
      code: 'INVALID_DISPENSER_NUMBER',
    }),
    overheadPercent: requireInteger(details.overheadPercent, 'overheadPercent', {
      min: 0,
      max: 1000,
      code: 'INVALID_OVERHEAD_PERCENT',
    }),
    contactPerson: optionalText(details.contactPerson, 'contactPerson', maxLength.name),
    emails: requireEmails(details.emails, 'emails', 4),
    phone: optionalPhone(details.phone, 'phone'),
    billingAddress: optionalText(details.billingAddress, 'billingAddress', maxLength.name),
    billingCity: optionalText(details.billingCity, 'billingCity', maxLength.name),
    billingZip: optionalText(details.billingZip, 'billingZip', maxLength.zip),
    legacy: validLegacy(details.legacy),
  };
}

const detailsOf = (customer: CustomerDetailsInput): CustomerDetails => ({
  shortName: customer.shortName,
  longName: customer.longName,
  dispenserNumber: customer.dispenserNumber,
  overheadPercent: customer.overheadPercent,
  contactPerson: customer.contactPerson ?? null,
  emails: customer.emails ?? [],
  phone: customer.phone ?? null,
  billingAddress: customer.billingAddress ?? null,
  billingCity: customer.billingCity ?? null,
  billingZip: customer.billingZip ?? null,
  legacy: customer.legacy ?? null,
});

export function customerNameClaims(state: CustomerState): NameClaimRef[] {
  if (state.status === 'absent') return [];
  return [
    nameClaimOf.customerShortName(state.shortName),
    nameClaimOf.customerDispenserNumber(state.dispenserNumber),
    nameClaimOf.legacyId('Users', state.legacyId),
  ];
}

// Decider

const initialState = (): CustomerState => ({ status: 'absent' });

function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  if (event.type === 'CustomerRegistered') {
    const { customerId, ...details } = event.data;
    return { status: 'active', id: customerId, ...details };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'CustomerUpdated':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'CustomerArchived':
      return { ...state, status: 'archived' };
    case 'CustomerRestored':
      return { ...state, status: 'active' };
  }
}

function decide(command: CustomerCommand, state: CustomerState): CustomerEvent[] {
  requireInstant(command.at);
  const customerId = requireId(command.customerId, 'customerId');
  switch (command.type) {
    case 'RegisterCustomer': {
      const details = validDetails(detailsOf(command));
      if (state.status !== 'absent') {
        if (!sameValue(detailsOf(state), details)) throw alreadyExists('CUSTOMER', customerId);
        // The same record again: it keeps the legacy id it holds.
        return [];
      }
      const legacyId = requireLegacyId(command.legacyId);
      return [{ type: 'CustomerRegistered', data: { customerId, ...details, legacyId } }];
    }
    case 'UpdateCustomer': {
      requireActive(state, 'CUSTOMER', customerId);
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'CustomerUpdated',
        data: { customerId, changes, reason },
      }));
    }
    case 'ArchiveCustomer':
      return archiveOnce(state, 'CUSTOMER', customerId, command.reason, (reason) => ({
        type: 'CustomerArchived',
        data: { customerId, reason },
      }));
    case 'RestoreCustomer':
      return restoreOnce(state, 'CUSTOMER', customerId, command.reason, (reason) => ({
        type: 'CustomerRestored',
        data: { customerId, reason },
      }));
  }
}

export const customerDecider: Decider<CustomerCommand, CustomerEvent, CustomerState> = { initialState, evolve, decide };
