import type { CalendarDate } from '@tracershop/domain/catalog';
import {
  overheadMultiplier,
  type InjectionOrderChanged,
  type ReleasedVial,
  type VialMeasurements,
} from '@tracershop/domain/ordering';

/**
 * Pure mappings from ordering events to column values; the projection does the SQL around them.
 */

/** Every delivery-day stream starts with it (`deliveryDayStreamName`). */
export const DELIVERY_DAY_PREFIX = 'ordering.deliveryDay-';
const DATE_SUFFIX = /:(\d{4}-\d{2}-\d{2})$/;

/**
 * The endpoint and date of a delivery-day stream (`ordering.deliveryDay-<encoded endpoint>:<date>`),
 * for events that do not repeat them (releases, ghosts). `encodeURIComponent` encodes `:`, so the
 * last `:` separates the date.
 */
export function deliveryDayOfStream(streamId: string): { endpointId: string; date: CalendarDate } {
  const match = streamId.startsWith(DELIVERY_DAY_PREFIX) ? DATE_SUFFIX.exec(streamId) : null;
  const encoded = match ? streamId.slice(DELIVERY_DAY_PREFIX.length, match.index) : '';
  if (!match || encoded.length === 0) throw new Error(`${streamId} is not a delivery-day stream`);
  let endpointId: string;
  try {
    endpointId = decodeURIComponent(encoded);
  } catch {
    throw new Error(`${streamId} is not a delivery-day stream`);
  }
  return { endpointId, date: match[1] as CalendarDate };
}

/**
 * What the active slot delivers for an activity order: the ordered activity, decay-corrected to the
 * active slot (factor 1 when not moved), times the overhead multiplier. The same expression, in the
 * same order, as the domain's `activityServedWithOverhead`, so the figures agree to the last bit.
 */
export function servedActivityMBq(activityMBq: number, decayFactor: number, overheadPercent: number): number {
  return activityMBq * decayFactor * overheadMultiplier(overheadPercent);
}

/** An event's data as an order's history shows it: everything but the order's own id. */
export function historyDetails(data: object): Record<string, unknown> {
  const { orderId: _orderId, ...details } = data as Record<string, unknown>;
  return details;
}

/** Lots of the released vials, each once, in the order given (the host's vial first). */
export function distinctLots(vials: readonly Pick<ReleasedVial, 'lot'>[]): string[] {
  return [...new Set(vials.map((vial) => vial.lot))];
}

// Domain field → column. `-?` makes a new field of the domain a compile error here until it has a column.

type FieldColumns<T> = { readonly [K in keyof T]-?: string };

export const vialMeasurementColumns: FieldColumns<VialMeasurements> = {
  activityMBq: 'activity_mbq',
  volumeMl: 'volume_ml',
  dispenserNumber: 'dispenser_number',
  depotPosition: 'depot_position',
  grossG: 'gross_g',
  tareG: 'tare_g',
  netG: 'net_g',
  product: 'product',
};

export const injectionOrderChangeColumns: FieldColumns<InjectionOrderChanged['data']['changes']> = {
  injections: 'injections',
  usage: 'injection_usage',
  deliveryTime: 'delivery_time',
  comment: 'comment',
};

/**
 * The `to` side of each change, by column. A field this version has no column for would silently
 * diverge from the aggregate; it stops the projection instead.
 */
export function changedColumns(
  columns: Readonly<Record<string, string>>,
  changes: object,
  eventType: string,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [field, change] of Object.entries(changes) as [string, { to: unknown } | undefined][]) {
    if (!change) continue;
    const column = Object.hasOwn(columns, field) ? columns[field] : undefined;
    if (!column) throw new Error(`${eventType} changes ${field}, which the ordering tables have no column for`);
    values[column] = change.to ?? null;
  }
  return values;
}
