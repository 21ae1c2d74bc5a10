import { conflict, notFound, ruleViolated } from '../kernel';
import { hasChanges, type FieldChanges } from './field-changes';
import { requireReason } from './field-validation';

/**
 * Every catalogue entity lives the same life: absent until created, then active or archived.
 * Nothing is ever deleted (GMP): archiving hides an entity from new use and keeps its history.
 */
export type Lifecycle = 'active' | 'archived';
export interface Absent {
  status: 'absent';
}
export type Present<T> = T & { status: Lifecycle };
export type Active<T> = T & { status: 'active' };
export type EntityState<T extends { id: string }> = Absent | Present<T>;

/** The stable prefix of an entity's error codes, e.g. `TRACER` → `TRACER_NOT_FOUND`. */
export type EntityCode =
  | 'ISOTOPE'
  | 'TRACER'
  | 'CUSTOMER'
  | 'DELIVERY_ENDPOINT'
  | 'PRODUCTION_RUN'
  | 'DELIVERY_TIME_SLOT'
  | 'TRACER_PERMISSION';

const label = (entity: EntityCode) => entity.toLowerCase().replaceAll('_', ' ');

export function requirePresent<T extends { id: string }>(
  state: EntityState<T>,
  entity: EntityCode,
  id: string,
): asserts state is Present<T> {
  if (state.status === 'absent') {
    throw notFound(`${entity}_NOT_FOUND`, `The ${label(entity)} ${id} does not exist`, { id });
  }
}

export function requireActive<T extends { id: string }>(
  state: EntityState<T>,
  entity: EntityCode,
  id: string,
): asserts state is Active<T> {
  requirePresent(state, entity, id);
  if (state.status === 'archived') {
    throw ruleViolated(`${entity}_ARCHIVED`, `The ${label(entity)} ${id} is archived`, { id });
  }
}

/**
 * A command's `refs` hold state the handler loaded from other streams. The id check catches a
 * handler that loaded the wrong stream; it is never the client's doing.
 */
export function requireActiveReference<T extends { id: string }>(
  ref: EntityState<T>,
  entity: EntityCode,
  expectedId: string,
  field: string,
): asserts ref is Active<T> {
  if (ref.status !== 'absent' && ref.id !== expectedId) throw referenceMismatch(field, expectedId, ref.id);
  if (ref.status === 'absent') {
    throw notFound(`${entity}_NOT_FOUND`, `The ${label(entity)} ${expectedId} does not exist`, {
      field,
      id: expectedId,
    });
  }
  if (ref.status === 'archived') {
    throw ruleViolated(`${entity}_ARCHIVED`, `The ${label(entity)} ${expectedId} is archived`, {
      field,
      id: expectedId,
    });
  }
}

export function referenceMismatch(field: string, expectedId: string, actualId: string) {
  return ruleViolated('REFERENCE_MISMATCH', `refs for ${field} hold ${actualId}, not ${expectedId}`, {
    field,
    expectedId,
    actualId,
  });
}

export function alreadyExists(entity: EntityCode, id: string) {
  return conflict('ALREADY_EXISTS', `A different ${label(entity)} with id ${id} already exists`, { entity, id });
}

/**
 * Update: a change is recorded with its reason (GMP, Annex 11 §9: changes to GMP-relevant data say
 * why), so a change without one is refused; an update that changes nothing records nothing and
 * needs none.
 */
export function updateWithReason<T, E>(changes: FieldChanges<T>, reason: unknown, updated: (reason: string) => E): E[] {
  if (!hasChanges(changes)) return [];
  return [updated(requireReason(reason))];
}

/** Archive: a reason is required; archiving an archived entity changes nothing. */
export function archiveOnce<T extends { id: string }, E>(
  state: EntityState<T>,
  entity: EntityCode,
  id: string,
  reason: unknown,
  archived: (reason: string) => E,
): E[] {
  const why = requireReason(reason);
  requirePresent(state, entity, id);
  return state.status === 'archived' ? [] : [archived(why)];
}

/** Restore: the reverse of archive; `checkReferences` runs only when something would change. */
export function restoreOnce<T extends { id: string }, E>(
  state: EntityState<T>,
  entity: EntityCode,
  id: string,
  reason: unknown,
  restored: (reason: string) => E,
  checkReferences: (entity: Present<T>) => void = () => undefined,
): E[] {
  const why = requireReason(reason);
  requirePresent(state, entity, id);
  if (state.status === 'active') return [];
  checkReferences(state);
  return [restored(why)];
}
