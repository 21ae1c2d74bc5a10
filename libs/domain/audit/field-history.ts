import type { ReviewedEvent } from './audit-trail-review';

/**
 * Changed-since-original flags (GMP, auditor capability 3; Annex 11 §8.2): per field of a record
 * that was changed after it was first recorded, the original value, the current value and every
 * change, with who, when and why. Read from the events' own `{ from, to }` changes (`changes.<field>`
 * or `<field>` of the data, as every context records an edit) and from a release correction's
 * `old` and `new`, and from a move's slots, so a new event type that records changes this way is covered without a line here.
 */

export interface FieldChange {
  revision: number;
  eventId: string;
  type: string;
  at: string;
  by: string;
  reason: string | null;
  from: unknown;
  to: unknown;
}

export interface FieldHistory {
  /** What the field belongs to within the record: `order:<id>`, `vial:<id>`, `release:<id>`, or `record`. */
  entity: string;
  field: string;
  /** The value first recorded: the first change's `from`. */
  original: unknown;
  /** The value after the last change. */
  current: unknown;
  /** Whether the current value differs from the original (a change may have been changed back). */
  differs: boolean;
  changes: FieldChange[];
}

interface Change {
  from: unknown;
  to: unknown;
}

const isChange = (value: unknown): value is Change =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.keys(value).length === 2 &&
  'from' in value &&
  'to' in value;

/** The record's part an event changes: its order, vial or release, or the record itself. */
function entityOf(data: Record<string, unknown>): string {
  for (const key of ['orderId', 'vialId', 'releaseId'] as const) {
    if (typeof data[key] === 'string') return `${key.slice(0, -2)}:${data[key]}`;
  }
  return 'record';
}

/** Each changed field of one event, as `[field, change]`. */
function changesOf(type: string, data: Record<string, unknown>): Array<[string, Change]> {
  const found: Array<[string, Change]> = [];
  for (const [field, value] of Object.entries(data)) if (isChange(value)) found.push([field, value]);
  const nested = data.changes;
  if (typeof nested === 'object' && nested !== null) {
    for (const [field, value] of Object.entries(nested)) if (isChange(value)) found.push([field, value]);
  }
  // A move records where the order was served from and where it is served now.
  if (type === 'OrderMovedToSlot' || type === 'OrderRestoredToSlot')
    found.push(['slot', { from: data.from, to: data.to }]);
  // A release correction records the release's old and new values whole.
  if (type === 'ReleasedOrderCorrected') {
    const before = (data.old ?? {}) as Record<string, unknown>;
    const after = (data.new ?? {}) as Record<string, unknown>;
    for (const field of Object.keys(before)) found.push([field, { from: before[field], to: after[field] }]);
  }
  return found;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Every field of the record changed after its first recording, in the order first changed. */
export function fieldHistory(events: readonly ReviewedEvent[]): FieldHistory[] {
  const histories = new Map<string, FieldHistory>();
  for (const event of events) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const entity = entityOf(data);
    const reason = typeof data.reason === 'string' ? data.reason : (event.reason ?? null);
    for (const [field, change] of changesOf(event.type, data)) {
      const key = `${entity}\u0000${field}`;
      let history = histories.get(key);
      if (!history) {
        history = { entity, field, original: change.from, current: change.from, differs: false, changes: [] };
        histories.set(key, history);
      }
      history.changes.push({
        revision: event.revision,
        eventId: event.eventId,
        type: event.type,
        at: event.recordedAt,
        by: event.actor.printedName,
        reason,
        from: change.from,
        to: change.to,
      });
      history.current = change.to;
      history.differs = !same(history.original, history.current);
    }
  }
  return [...histories.values()];
}
