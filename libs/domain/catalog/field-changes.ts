/**
 * Updates record each changed field as `{ from, to }`: GMP wants the old and the new value in the
 * audit trail, and a field-level diff is what the audit view shows.
 */
export type FieldChanges<T> = { [K in keyof T]?: { from: T[K]; to: T[K] } };

/** Structural equality of JSON-like values (events are JSON), so arrays and objects compare by content. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const bKeys = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}

/** The fields of `next` whose value differs from `current`; `{}` when nothing changes. */
export function changedFields<T extends object>(current: T, next: Partial<T>): FieldChanges<T> {
  const changes: FieldChanges<T> = {};
  for (const key of Object.keys(next) as (keyof T)[]) {
    const to = next[key] as T[typeof key];
    if (to !== undefined && !sameValue(current[key], to)) changes[key] = { from: current[key], to };
  }
  return changes;
}

export function hasChanges<T>(changes: FieldChanges<T>): boolean {
  return Object.keys(changes).length > 0;
}

export function applyChanges<T extends object>(record: T, changes: FieldChanges<T>): T {
  const next = { ...record };
  for (const key of Object.keys(changes) as (keyof T)[]) {
    const change = changes[key];
    if (change) next[key] = change.to;
  }
  return next;
}

/** `current` with the given changes laid over it; `undefined` means "leave as is", `null` clears. */
export function mergeChanges<T extends object>(current: T, changes: Partial<T> | undefined): T {
  const next = { ...current };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value !== undefined && key in current) next[key as keyof T] = value as T[keyof T];
  }
  return next;
}
