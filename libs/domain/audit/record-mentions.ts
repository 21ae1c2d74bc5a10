/**
 * What a cross-record search may ask of an event besides its envelope (GMP, auditor capability 4:
 * by tracer, slot-day, batch): whether the event names that tracer, slot, delivery date or lot
 * anywhere in its data (an order's tracer, a move's slots, a release's vials' lots), or in its
 * stream's name (a delivery day's date, a vial's lot). Matched on the data as recorded, so every
 * event type that records the field is found, whatever its context.
 */
export interface RecordMentions {
  tracerId?: string;
  slotId?: string;
  /** A delivery date, YYYY-MM-DD. */
  deliveryDate?: string;
  /** A lot (batch) number, as normalised (`TAG-YYMMDD-n`). */
  lot?: string;
}

const FIELDS: Readonly<Record<keyof RecordMentions, readonly string[]>> = {
  tracerId: ['tracerId'],
  slotId: ['slotId', 'targetSlotId'],
  deliveryDate: ['date', 'deliveryDate'],
  lot: ['lot'],
};

/** Whether any of the keys holds the value, at any depth of the data. */
function names(data: unknown, keys: readonly string[], value: string, depth = 0): boolean {
  if (depth > 6 || typeof data !== 'object' || data === null) return false;
  if (Array.isArray(data)) return data.some((item) => names(item, keys, value, depth + 1));
  for (const [key, inner] of Object.entries(data)) {
    if (keys.includes(key) && inner === value) return true;
    if (typeof inner === 'object' && names(inner, keys, value, depth + 1)) return true;
  }
  return false;
}

/** The stream names it: a delivery day's date (`…:<date>`), a vial's lot (`ordering.vial-<lot>@…`). */
function streamNames(streamId: string, field: keyof RecordMentions, value: string): boolean {
  if (field === 'deliveryDate') return streamId.startsWith('ordering.deliveryDay-') && streamId.endsWith(`:${value}`);
  if (field === 'lot') return streamId.startsWith(`ordering.vial-${value}@`);
  return false;
}

/** True when the event names every given value; no values asked, every event. */
export function mentions(event: { streamId: string; data: unknown }, asked: RecordMentions): boolean {
  return (Object.keys(FIELDS) as (keyof RecordMentions)[]).every((field) => {
    const value = asked[field];
    return value === undefined || streamNames(event.streamId, field, value) || names(event.data, FIELDS[field], value);
  });
}
