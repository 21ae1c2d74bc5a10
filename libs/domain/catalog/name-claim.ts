import { conflict, ruleViolated, type Decider, type DomainEvent } from '../kernel';
import { type LegacyIdTable } from '../legacy/legacy-id-block';
import { type ClockTime, type IsoInstant, type IsoWeekday } from './calendar';
import { requireId, requireInstant, requireOneOf } from './field-validation';

/**
 * Uniqueness across aggregates. A stream cannot see its siblings, so a unique value gets a stream of
 * its own: `catalog.nameClaim-<kind>-<key>`. Appending `NameClaimed` with the expected revision
 * decides races; the handler claims the new key before the owner's event and releases the old key
 * after it (see each aggregate's `…NameClaims` function).
 */
export const nameClaimKinds = [
  'isotopeName',
  'tracerShortName',
  /**
   * A lot names its tracer by the tag before its date (`FDG-261228-1`), so a tag belongs to one
   * tracer, archived ones included: their lots stay on record.
   */
  'tracerVialTag',
  'customerShortName',
  'customerDispenserNumber',
  'productionRunSchedule',
  /** `<tracer>|<weekday>|<run number>`: the old system finds a run by weekday and number (O3). */
  'productionRunNumber',
  'deliveryTimeSlotSchedule',
  /** `<legacy table>:<id>`: a legacy id belongs to one record of its table, allocated or carried over. */
  'legacyId',
] as const;
export type NameClaimKind = (typeof nameClaimKinds)[number];

/** A normalised key of one kind: the thing that must be unique. */
export interface NameClaimRef {
  kind: NameClaimKind;
  key: string;
}

const MAX_KEY_LENGTH = 200;

/** Users see `FDG` and ` fdg ` as the same name; Danish letters compare in one Unicode form. */
export function normaliseClaimKey(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** encodeURIComponent keeps the key readable, reversible and free of spaces and slashes. */
export function nameClaimStreamName(kind: NameClaimKind, key: string): string {
  return `catalog.nameClaim-${kind}-${encodeURIComponent(normaliseClaimKey(key))}`;
}

const claim = (kind: NameClaimKind, ...parts: (string | number)[]): NameClaimRef => ({
  kind,
  key: normaliseClaimKey(parts.join('|')),
});

/** The claim each unique value needs; composite keys join their parts with `|`. */
export const nameClaimOf = {
  isotopeName: (name: string) => claim('isotopeName', name),
  tracerShortName: (shortName: string) => claim('tracerShortName', shortName),
  tracerVialTag: (vialTag: string) => claim('tracerVialTag', vialTag),
  customerShortName: (shortName: string) => claim('customerShortName', shortName),
  customerDispenserNumber: (dispenserNumber: number) => claim('customerDispenserNumber', dispenserNumber),
  productionRunSchedule: (tracerId: string, weekday: IsoWeekday, productionTime: ClockTime) =>
    claim('productionRunSchedule', tracerId, weekday, productionTime),
  productionRunNumber: (tracerId: string, weekday: IsoWeekday, runNumber: number) =>
    claim('productionRunNumber', tracerId, weekday, runNumber),
  deliveryTimeSlotSchedule: (endpointId: string, deliveryTime: ClockTime, productionRunId: string) =>
    claim('deliveryTimeSlotSchedule', endpointId, deliveryTime, productionRunId),
  legacyId: (table: LegacyIdTable, legacyId: number) => claim('legacyId', `${table}:${legacyId}`),
};

/** What to claim and release when an owner's state goes from `before` to `after`. */
export function nameClaimChanges(
  before: readonly NameClaimRef[],
  after: readonly NameClaimRef[],
): { claim: NameClaimRef[]; release: NameClaimRef[] } {
  const has = (list: readonly NameClaimRef[], ref: NameClaimRef) =>
    list.some((other) => other.kind === ref.kind && other.key === ref.key);
  return {
    claim: after.filter((ref) => !has(before, ref)),
    release: before.filter((ref) => !has(after, ref)),
  };
}

// Commands

export interface ClaimName {
  type: 'ClaimName';
  kind: NameClaimKind;
  key: string;
  ownerId: string;
  at: IsoInstant;
}

export interface ReleaseName {
  type: 'ReleaseName';
  kind: NameClaimKind;
  key: string;
  ownerId: string;
  at: IsoInstant;
}

export type NameClaimCommand = ClaimName | ReleaseName;

// Events

export interface NameClaimData {
  kind: NameClaimKind;
  /** Normalised. */
  key: string;
  ownerId: string;
}

export type NameClaimed = DomainEvent<'NameClaimed', NameClaimData>;
export type NameReleased = DomainEvent<'NameReleased', NameClaimData>;
export type NameClaimEvent = NameClaimed | NameReleased;

// State

export interface NameClaimState {
  kind: NameClaimKind | null;
  key: string | null;
  /** Null while nobody holds the key (never claimed, or released). */
  ownerId: string | null;
}

const initialState = (): NameClaimState => ({ kind: null, key: null, ownerId: null });

function evolve(state: NameClaimState, event: NameClaimEvent): NameClaimState {
  switch (event.type) {
    case 'NameClaimed':
      return { kind: event.data.kind, key: event.data.key, ownerId: event.data.ownerId };
    case 'NameReleased':
      return { ...state, ownerId: null };
  }
}

function claimData(command: NameClaimCommand): NameClaimData {
  const kind = requireOneOf(command.kind, nameClaimKinds, 'kind', 'INVALID_CLAIM_KIND');
  const key = normaliseClaimKey(typeof command.key === 'string' ? command.key : '');
  if (key.length === 0) throw ruleViolated('FIELD_REQUIRED', 'key is required', { field: 'key' });
  if (key.length > MAX_KEY_LENGTH) {
    throw ruleViolated('FIELD_TOO_LONG', `key is longer than ${MAX_KEY_LENGTH} characters`, {
      field: 'key',
      maxLength: MAX_KEY_LENGTH,
    });
  }
  return { kind, key, ownerId: requireId(command.ownerId, 'ownerId') };
}

function decide(command: NameClaimCommand, state: NameClaimState): NameClaimEvent[] {
  requireInstant(command.at);
  const data = claimData(command);
  switch (command.type) {
    case 'ClaimName':
      if (state.ownerId === data.ownerId) return [];
      if (state.ownerId !== null) {
        throw conflict('NAME_TAKEN', `${data.key} is already in use`, {
          kind: data.kind,
          key: data.key,
          ownerId: state.ownerId,
        });
      }
      return [{ type: 'NameClaimed', data }];
    case 'ReleaseName':
      if (state.ownerId === null) return [];
      if (state.ownerId !== data.ownerId) {
        throw conflict('NAME_NOT_OWNED', `${data.key} is held by another owner`, {
          kind: data.kind,
          key: data.key,
          ownerId: state.ownerId,
        });
      }
      return [{ type: 'NameReleased', data }];
  }
}

export const nameClaimDecider: Decider<NameClaimCommand, NameClaimEvent, NameClaimState> = {
  initialState,
  evolve,
  decide,
};
