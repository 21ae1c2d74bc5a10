import { ruleViolated, type Decider, type DomainEvent } from '../kernel';
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
import { requireBoolean, requireId, requireInstant, requireInteger, requirePositiveNumber } from './field-validation';
import { nameClaimOf, type NameClaimRef } from './name-claim';
import { requireLegacyId } from '../legacy/legacy-id-block';

export const isotopeStreamName = (isotopeId: string) => `catalog.isotope-${isotopeId}`;

export interface IsotopeDetails {
  /** Legacy `isotopes.name`: element symbol, `-`, mass number, `m` when metastable (`F-18`, `Tc-99m`). */
  name: string;
  atomicNumber: number;
  /** The mass number (protons + neutrons), as in the name. */
  atomicMass: number;
  /** Legacy `isotopes.halflife` is in seconds too; fractions are kept (O-15: 122.24 s). */
  halfLifeSeconds: number;
  metastable: boolean;
}

export interface Isotope extends IsotopeDetails {
  id: string;
  /** Legacy `isotopes.id`, fixed for life (see libs/domain/legacy). */
  legacyId: number;
}

export type IsotopeState = EntityState<Isotope>;

// Commands

export interface RegisterIsotope extends IsotopeDetails {
  type: 'RegisterIsotope';
  isotopeId: string;
  /** Legacy `isotopes.id`: allocated by the handler, or given for a row carried over from the old system. */
  legacyId: number;
  at: IsoInstant;
}

export interface UpdateIsotope {
  type: 'UpdateIsotope';
  isotopeId: string;
  changes: Partial<IsotopeDetails>;
  /** Why the values change (GMP: Annex 11 §9): required when the update changes one. */
  reason?: string;
  at: IsoInstant;
}

export interface ArchiveIsotope {
  type: 'ArchiveIsotope';
  isotopeId: string;
  reason: string;
  at: IsoInstant;
}

export interface RestoreIsotope {
  type: 'RestoreIsotope';
  isotopeId: string;
  reason: string;
  at: IsoInstant;
}

export type IsotopeCommand = RegisterIsotope | UpdateIsotope | ArchiveIsotope | RestoreIsotope;

// Events

export interface IsotopeRegisteredData extends IsotopeDetails {
  isotopeId: string;
  legacyId: number;
}
export interface IsotopeUpdatedData {
  isotopeId: string;
  changes: FieldChanges<IsotopeDetails>;
  /** Why the values changed; null only on a change recorded before a reason was required (version 1). */
  reason: string | null;
}
export interface IsotopeArchivedData {
  isotopeId: string;
  reason: string;
}
export interface IsotopeRestoredData {
  isotopeId: string;
  reason: string;
}

export type IsotopeRegistered = DomainEvent<'IsotopeRegistered', IsotopeRegisteredData>;
export type IsotopeUpdated = DomainEvent<'IsotopeUpdated', IsotopeUpdatedData>;
export type IsotopeArchived = DomainEvent<'IsotopeArchived', IsotopeArchivedData>;
export type IsotopeRestored = DomainEvent<'IsotopeRestored', IsotopeRestoredData>;
export type IsotopeEvent = IsotopeRegistered | IsotopeUpdated | IsotopeArchived | IsotopeRestored;

// Rules

const ISOTOPE_NAME_PATTERN = /^([A-Z][a-z]?)-([1-9]\d{0,2})(m?)$/;

function validDetails(details: IsotopeDetails): IsotopeDetails {
  const name = typeof details.name === 'string' ? details.name.trim() : '';
  const match = ISOTOPE_NAME_PATTERN.exec(name);
  if (!match) {
    throw ruleViolated('INVALID_ISOTOPE_NAME', 'name must look like F-18 or Tc-99m', { field: 'name', value: name });
  }
  const atomicNumber = requireInteger(details.atomicNumber, 'atomicNumber', {
    min: 1,
    max: 118,
    code: 'INVALID_ATOMIC_NUMBER',
  });
  const atomicMass = requireInteger(details.atomicMass, 'atomicMass', {
    min: atomicNumber,
    max: 300,
    code: 'INVALID_ATOMIC_MASS',
  });
  const halfLifeSeconds = requirePositiveNumber(details.halfLifeSeconds, 'halfLifeSeconds', 'INVALID_HALF_LIFE');
  const metastable = requireBoolean(details.metastable, 'metastable');
  // The name repeats the mass number and the metastable flag; disagreeing copies would mislabel vials.
  if (Number(match[2]) !== atomicMass || (match[3] === 'm') !== metastable) {
    throw ruleViolated('ISOTOPE_NAME_MISMATCH', `name ${name} disagrees with atomicMass or metastable`, {
      field: 'name',
      value: name,
      atomicMass,
      metastable,
    });
  }
  return { name, atomicNumber, atomicMass, halfLifeSeconds, metastable };
}

const detailsOf = ({
  name,
  atomicNumber,
  atomicMass,
  halfLifeSeconds,
  metastable,
}: IsotopeDetails): IsotopeDetails => ({
  name,
  atomicNumber,
  atomicMass,
  halfLifeSeconds,
  metastable,
});

/** The unique values an isotope holds; archived isotopes keep theirs so that a restore cannot clash. */
export function isotopeNameClaims(state: IsotopeState): NameClaimRef[] {
  if (state.status === 'absent') return [];
  return [nameClaimOf.isotopeName(state.name), nameClaimOf.legacyId('isotopes', state.legacyId)];
}

// Decider

const initialState = (): IsotopeState => ({ status: 'absent' });

function evolve(state: IsotopeState, event: IsotopeEvent): IsotopeState {
  if (event.type === 'IsotopeRegistered') {
    const { isotopeId, ...details } = event.data;
    return { status: 'active', id: isotopeId, ...details };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'IsotopeUpdated':
      return { ...state, ...applyChanges(detailsOf(state), event.data.changes) };
    case 'IsotopeArchived':
      return { ...state, status: 'archived' };
    case 'IsotopeRestored':
      return { ...state, status: 'active' };
  }
}

function decide(command: IsotopeCommand, state: IsotopeState): IsotopeEvent[] {
  requireInstant(command.at);
  const isotopeId = requireId(command.isotopeId, 'isotopeId');
  switch (command.type) {
    case 'RegisterIsotope': {
      const details = validDetails(detailsOf(command));
      if (state.status !== 'absent') {
        if (!sameValue(detailsOf(state), details)) throw alreadyExists('ISOTOPE', isotopeId);
        // The same record again: it keeps the legacy id it holds.
        return [];
      }
      const legacyId = requireLegacyId(command.legacyId);
      return [{ type: 'IsotopeRegistered', data: { isotopeId, ...details, legacyId } }];
    }
    case 'UpdateIsotope': {
      requireActive(state, 'ISOTOPE', isotopeId);
      const current = detailsOf(state);
      const changes = changedFields(current, validDetails(mergeChanges(current, command.changes)));
      return updateWithReason(changes, command.reason, (reason) => ({
        type: 'IsotopeUpdated',
        data: { isotopeId, changes, reason },
      }));
    }
    case 'ArchiveIsotope':
      return archiveOnce(state, 'ISOTOPE', isotopeId, command.reason, (reason) => ({
        type: 'IsotopeArchived',
        data: { isotopeId, reason },
      }));
    case 'RestoreIsotope':
      return restoreOnce(state, 'ISOTOPE', isotopeId, command.reason, (reason) => ({
        type: 'IsotopeRestored',
        data: { isotopeId, reason },
      }));
  }
}

export const isotopeDecider: Decider<IsotopeCommand, IsotopeEvent, IsotopeState> = { initialState, evolve, decide };
