import type { Pool } from 'mysql2/promise';
import { isCalendarDate, type CalendarDate, type ClockTime } from '@tracershop/domain/catalog';
import {
  decayFactor,
  DEFAULT_BUSINESS_TIME_ZONE,
  normaliseLotNumber,
  orderStatuses,
  secondsBetween,
  type BusinessDay,
  type GhostOrderDissolved,
  type InjectionUsage,
  type OrderedBy,
  type OrderStatus,
  type ReleasedBy,
} from '@tracershop/domain/ordering';
import { Position, type SignatureBlock } from '@tracershop/event-store';
import { assertValidDatabaseName, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { Page } from '../catalog/catalog-read-model';
import {
  InvalidReadQueryError,
  keysetPage,
  type Condition,
  type ListDefinition as KeysetList,
} from '../catalog/keyset-paging';
import { orderingTables, type OrderingTable } from './ordering-tables';

// What the API answers with: the order, ghost, release or vial, and where it stands in history.

export interface OrderingRecordHistory {
  /** The aggregate's stream: the delivery day, or the vial. */
  streamId: string;
  /** Stream revision of the latest event, as the command side reports revisions (decimal string). */
  revision: string;
  createdPosition: string;
  updatedPosition: string;
  /** ISO instants (UTC): the business time of the creating and of the latest event. */
  createdAt: string;
  updatedAt: string;
}

export type OrderKind = 'activity' | 'injection';
export const orderKinds: readonly OrderKind[] = ['activity', 'injection'];

export interface OrderView extends OrderingRecordHistory {
  orderId: string;
  kind: OrderKind;
  endpointId: string;
  customerId: string;
  tracerId: string;
  deliveryDate: CalendarDate;
  /** Activity orders: the ordered slot's time. Injection orders: the ordered time. */
  deliveryTime: ClockTime;
  /** The ordered slot; null for injection orders. */
  slotId: string | null;
  productionRunId: string | null;
  runNumber: number | null;
  slotLegacyId: number | null;
  /** The slot that delivers it: the moved-to slot, else the ordered slot; null for injection orders. */
  activeSlotId: string | null;
  activeProductionRunId: string | null;
  activeDeliveryTime: ClockTime | null;
  activeRunNumber: number | null;
  activeSlotLegacyId: number | null;
  moved: boolean;
  /** exp(ln2 · (ordered − active slot time) / T½): 1 unless moved; null for injection orders. */
  decayFactor: number | null;
  halfLifeSeconds: number | null;
  /** Ordered, at the ordered slot's time, without overhead. */
  activityMBq: number | null;
  overheadPercent: number | null;
  /** What the active slot must deliver for it: activity × decay factor × (1 + overhead / 100). */
  activityServedMBq: number | null;
  injections: number | null;
  usage: InjectionUsage | null;
  status: OrderStatus;
  /** Legacy: 1 ordered, 2 accepted, 3 released, 4 rejected or cancelled. */
  statusCode: 1 | 2 | 3 | 4;
  comment: string | null;
  orderedBy: OrderedBy;
  deadlineOverrideReason: string | null;
  releaseId: string | null;
  /** The injection lot, or the first vial's lot (kept for clients that read one). */
  lot: string | null;
  /** Every lot released to it, in vial order; empty unless released. */
  lots: string[];
  /** Printed name at release. */
  releasedBy: { userId: string; printedName: string } | null;
  releasedAt: string | null;
  bookingIds: string[];
  legacyOid: number;
  customerLegacyId: number | null;
  tracerLegacyId: number | null;
}

export interface OrderHistoryEntry {
  /** 1, 2, … within the order's history. */
  position: number;
  eventType: string;
  /** Global position of the event. */
  eventPosition: string;
  streamRevision: string;
  occurredAt: string;
  actor: { id: string; printedName: string };
  reason: string | null;
  /** The event's data without the order id: old and new values as recorded. */
  details: Record<string, unknown>;
  signature: SignatureBlock | null;
}

export interface OrderDetailView extends OrderView {
  history: OrderHistoryEntry[];
}

/** Where the command side finds an order: its delivery-day stream. */
export interface OrderLocation {
  kind: OrderKind;
  endpointId: string;
  customerId: string;
  deliveryDate: CalendarDate;
}

export interface ReleaseView extends OrderingRecordHistory {
  releaseId: string;
  kind: OrderKind;
  endpointId: string;
  customerId: string;
  deliveryDate: CalendarDate;
  /** Null for injection releases. */
  slotId: string | null;
  tracerId: string;
  ghostId: string | null;
  orderIds: string[];
  /** The injection lot, or the first vial's lot. */
  lot: string | null;
  lots: string[];
  /** Sum of the vials' activity at fill; null for injection releases. */
  deliveredActivityMBq: number | null;
  /** Injection releases: the largest volume one injection may take, as typed in; else null. */
  maxInjectionVolumeMl: number | null;
  /** In the order given; the first is the host's vial. */
  vialIds: string[];
  releasedBy: ReleasedBy;
  signature: SignatureBlock | null;
  releasedAt: string;
  status: 'released' | 'corrected';
  correction: {
    reason: string;
    correctedAt: string;
    correctedBy: { userId: string; printedName: string };
    signature: SignatureBlock | null;
  } | null;
}

export interface VialView extends OrderingRecordHistory {
  vialId: string;
  lot: string;
  fillDate: CalendarDate;
  /** `HH:MM:SS`, as the dispenser writes it. */
  fillTime: string;
  activityMBq: number;
  volumeMl: number;
  dispenserNumber: number;
  depotPosition: number;
  grossG: number;
  tareG: number;
  netG: number;
  product: string;
  legacyValId: number;
  /** Null while unassigned. */
  releaseId: string | null;
  releaseStreamId: string | null;
  dispensedAt: string;
  /** Null unless voided: a voided vial is released by no one until it is restored. */
  voided: { reason: string; at: string; byName: string | null } | null;
}

// The day board: one column per slot of the tracer that has anything on the date.

export interface DayBoardOrderRow {
  orderId: string;
  legacyOid: number;
  customerId: string;
  endpointId: string;
  status: OrderStatus;
  statusCode: 1 | 2 | 3 | 4;
  /** Ordered, without overhead, at the ordered slot's time. */
  activityMBq: number;
  overheadPercent: number;
  /** What its active slot delivers for it: decay-corrected, with overhead. */
  servedMBq: number;
  orderedSlotId: string;
  orderedDeliveryTime: ClockTime;
  activeSlotId: string;
  moved: boolean;
  decayFactor: number;
  comment: string | null;
  releaseId: string | null;
  lot: string | null;
  /** Every lot released to it, in vial order. */
  lots: string[];
}

export interface DayBoardSlot {
  slotId: string;
  endpointId: string;
  customerId: string;
  productionRunId: string;
  deliveryTime: ClockTime;
  runNumber: number;
  /** Its own orders, delivered from it (not moved away, not withdrawn): MBq with overhead. */
  ordered: { orderIds: string[]; activityMBq: number };
  /** Orders moved in from later slots: decay-corrected MBq with overhead, each with its origin. */
  movedIn: {
    orders: { orderId: string; fromSlotId: string; fromDeliveryTime: ClockTime; activityMBq: number }[];
    activityMBq: number;
  };
  /** Its own orders delivered from an earlier slot instead. */
  movedOut: { orderId: string; toSlotId: string; toDeliveryTime: ClockTime }[];
  /** ordered + movedIn: what the slot delivers. */
  totalMBq: number;
  /**
   * Whether the catalogue has the slot deliver on the date (its weekday and week, not expired nor
   * archived, the date not closed). False: its orders stand where nothing is delivered now; they
   * are listed all the same, for production to move or withdraw.
   */
  deliversOnDate: boolean;
  /** The ghost order hosting the moved-in orders when the slot has no order of its own. */
  ghost: { ghostId: string; legacyOid: number; hostedCount: number; createdAt: string } | null;
  /** Releases in force (not corrected): the vials' activity at fill and their lots. */
  released: { releaseIds: string[]; deliveredActivityMBq: number; lots: string[]; vialIds: string[] } | null;
  /** Dissolved ghosts: neither ordered nor delivered activity. */
  dead: { ghostId: string; legacyOid: number; dissolvedAt: string | null; because: DissolvedBecause | null }[];
  /** Every order ordered for or delivered from the slot, withdrawn ones included. */
  orders: DayBoardOrderRow[];
}

type DissolvedBecause = GhostOrderDissolved['data']['because'];

export interface DayBoardInjectionRow {
  orderId: string;
  legacyOid: number;
  customerId: string;
  endpointId: string;
  deliveryTime: ClockTime;
  injections: number;
  usage: InjectionUsage;
  status: OrderStatus;
  statusCode: 1 | 2 | 3 | 4;
  comment: string | null;
  releaseId: string | null;
  lot: string | null;
  lots: string[];
}

/** A production run of the day and what it must make for the slots it serves. */
export interface DayBoardRun {
  productionRunId: string;
  runNumber: number;
  /** From the catalogue; null for a run the caller gave no production time for. */
  productionTime: ClockTime | null;
  /** The slots it delivers to (moved-in orders count at the run that serves them). */
  slotIds: string[];
  /** What those slots deliver: each order's MBq with overhead at its slot's time. */
  deliveredMBq: number;
  /**
   * What the run must make at its production time: each order's MBq with overhead decayed back
   * from the slot that delivers it, Σ ordered·m·exp(ln2·(t_slot − t_production)/T½); null without a
   * production time.
   */
  activityAtProductionMBq: number | null;
}

/** Why nothing is delivered on a date: a closed date, or a weekly close day, with its reason. */
export interface DayClosure {
  kind: 'closed-date' | 'weekly-close-day';
  /** The reason recorded with the closure; null for a weekly close day set before reasons were kept. */
  reason: string | null;
}

export interface DayBoard {
  date: CalendarDate;
  tracerId: string;
  /** Null unless the date is closed; orders placed before the closure are still listed. */
  closed: DayClosure | null;
  /** By delivery time, endpoint and slot id. */
  slots: DayBoardSlot[];
  /** By run number: the day's runs with a production time given, and every run serving a slot. */
  runs: DayBoardRun[];
  /** Injection orders of the tracer on the date, by delivery time and id. */
  injectionOrders: DayBoardInjectionRow[];
}

// Options. Keyset pages: `after` is the previous page's `nextCursor`.

export interface OrderingPageOptions {
  /** 1 … 500. */
  limit: number;
  /** `nextCursor` of the previous page; omit for the first page. */
  after?: string | null;
}

export interface OrderListOptions extends OrderingPageOptions {
  deliveryDate?: CalendarDate;
  /** Inclusive bounds on the delivery date. */
  from?: CalendarDate;
  to?: CalendarDate;
  endpointId?: string;
  /** Only these customers' orders (a shop user's assignments); an empty list matches nothing. */
  customerIds?: readonly string[];
  tracerId?: string;
  /** One status or several; all by default. */
  status?: OrderStatus | readonly OrderStatus[];
  kind?: OrderKind;
}

export interface DayBoardOptions {
  date: CalendarDate;
  tracerId: string;
  /** Only these customers' slots and orders; an empty list matches nothing. */
  customerIds?: readonly string[];
  /**
   * The tracer's runs on the date's weekday, from the catalogue: their production times. An
   * archived run is listed only when it still serves a slot that day.
   */
  productionRuns?: ReadonlyArray<{
    productionRunId: string;
    runNumber: number;
    productionTime: ClockTime;
    archived: boolean;
  }>;
  /**
   * The delivery calendar from the catalogue: whether the date is closed, and the slots that
   * deliver on it (any other slot on the board delivers no longer). Without it the board says
   * the date is open and every slot delivers.
   */
  calendar?: { closed: DayClosure | null; slotsDelivering: ReadonlySet<string> };
}

export interface VialListOptions extends OrderingPageOptions {
  fillDate?: CalendarDate;
  /** `-` or `:` separators, as the dispenser writes them. */
  lot?: string;
  dispenserNumber?: number;
  /** true: assigned to a release; false: free. */
  assigned?: boolean;
  /** true: voided only; false: not voided (what a release may take, with `assigned` false). */
  voided?: boolean;
}

// Rows → views. Times and dates are formatted in SQL, so the pool's date and time-zone options never matter.

type Row = Record<string, unknown>;

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
const flag = (value: unknown) => Boolean(Number(value));
/** MariaDB's JSON is LONGTEXT and arrives as text; MySQL 8's arrives parsed. */
const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : (value ?? null));
/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) → `YYYY-MM-DDTHH:MM:SS.fffZ`. */
const instant = (value: unknown) => `${String(value).slice(0, 10)}T${String(value).slice(11, 23)}Z`;
const optionalInstant = (value: unknown) => (value === null || value === undefined ? null : instant(value));

const INSTANT_FORMAT = `'%Y-%m-%d %H:%i:%s.%f'`;
const clock = (column: string, alias: string) => `TIME_FORMAT(${column}, '%H:%i') AS ${alias}`;
const day = (column: string, alias: string) => `DATE_FORMAT(${column}, '%Y-%m-%d') AS ${alias}`;
const moment = (column: string, alias: string) => `DATE_FORMAT(${column}, ${INSTANT_FORMAT}) AS ${alias}`;
/**
 * DOUBLE columns as text: the server writes the shortest round-trip digits, while mysql2's own
 * parser of text-protocol DOUBLEs drops the last bits (990.0000000000001 arrives as 990). Served
 * activity must read back exactly as it was computed.
 */
const double = (column: string, alias: string) => `CAST(${column} AS CHAR) AS ${alias}`;

const HISTORY_SELECT = `stream_id AS streamId, CAST(revision AS CHAR) AS revision, created_position AS createdPosition,
  updated_position AS updatedPosition, ${moment('created_at', 'createdAt')}, ${moment('updated_at', 'updatedAt')}`;

function historyOf(row: Row): OrderingRecordHistory {
  return {
    streamId: String(row.streamId),
    revision: String(row.revision),
    createdPosition: String(row.createdPosition),
    updatedPosition: String(row.updatedPosition),
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
  };
}

type ListDefinition<V> = KeysetList<V, OrderingTable>;

const ORDER_SELECT = `order_id AS orderId, kind, endpoint_id AS endpointId, customer_id AS customerId,
  tracer_id AS tracerId, ${day('delivery_date', 'deliveryDate')}, ${clock('delivery_time', 'deliveryTime')},
  slot_id AS slotId, production_run_id AS productionRunId, run_number AS runNumber, slot_legacy_id AS slotLegacyId,
  active_slot_id AS activeSlotId, active_production_run_id AS activeProductionRunId,
  ${clock('active_delivery_time', 'activeDeliveryTime')}, active_run_number AS activeRunNumber,
  active_slot_legacy_id AS activeSlotLegacyId, moved, ${double('decay_factor', 'decayFactor')},
  ${double('half_life_seconds', 'halfLifeSeconds')}, ${double('activity_mbq', 'activityMBq')}, ${double('overhead_percent', 'overheadPercent')},
  ${double('activity_served_mbq', 'activityServedMBq')}, injections, injection_usage AS injectionUsage, status,
  status_code AS statusCode, comment, ordered_by_user_id AS orderedByUserId,
  ordered_by_username AS orderedByUsername, ordered_by_name AS orderedByName,
  deadline_override_reason AS deadlineOverrideReason, release_id AS releaseId, lot, lots,
  released_by_user_id AS releasedByUserId, released_by_name AS releasedByName,
  ${moment('released_at', 'releasedAt')}, booking_ids AS bookingIds, legacy_oid AS legacyOid,
  customer_legacy_id AS customerLegacyId, tracer_legacy_id AS tracerLegacyId, ${HISTORY_SELECT}`;

const orderList: ListDefinition<OrderView> = {
  name: 'orders',
  table: orderingTables.orders,
  select: ORDER_SELECT,
  sortKeys: [
    { column: 'delivery_date', type: 'string', valueOf: (order) => order.deliveryDate },
    { column: 'delivery_time', type: 'string', valueOf: (order) => order.deliveryTime },
    { column: 'order_id', type: 'string', valueOf: (order) => order.orderId },
  ],
  toView: (row) => ({
    orderId: String(row.orderId),
    kind: row.kind as OrderKind,
    endpointId: String(row.endpointId),
    customerId: String(row.customerId),
    tracerId: String(row.tracerId),
    deliveryDate: String(row.deliveryDate),
    deliveryTime: String(row.deliveryTime),
    slotId: text(row.slotId),
    productionRunId: text(row.productionRunId),
    runNumber: number(row.runNumber),
    slotLegacyId: number(row.slotLegacyId),
    activeSlotId: text(row.activeSlotId),
    activeProductionRunId: text(row.activeProductionRunId),
    activeDeliveryTime: text(row.activeDeliveryTime),
    activeRunNumber: number(row.activeRunNumber),
    activeSlotLegacyId: number(row.activeSlotLegacyId),
    moved: flag(row.moved),
    decayFactor: number(row.decayFactor),
    halfLifeSeconds: number(row.halfLifeSeconds),
    activityMBq: number(row.activityMBq),
    overheadPercent: number(row.overheadPercent),
    activityServedMBq: number(row.activityServedMBq),
    injections: number(row.injections),
    usage: text(row.injectionUsage) as InjectionUsage | null,
    status: row.status as OrderStatus,
    statusCode: Number(row.statusCode) as 1 | 2 | 3 | 4,
    comment: text(row.comment),
    orderedBy: {
      userId: String(row.orderedByUserId),
      username: String(row.orderedByUsername),
      printedName: String(row.orderedByName),
    },
    deadlineOverrideReason: text(row.deadlineOverrideReason),
    releaseId: text(row.releaseId),
    lot: text(row.lot),
    lots: (json(row.lots) ?? []) as string[],
    releasedBy:
      row.releasedByUserId === null || row.releasedByUserId === undefined
        ? null
        : { userId: String(row.releasedByUserId), printedName: String(row.releasedByName) },
    releasedAt: optionalInstant(row.releasedAt),
    bookingIds: (json(row.bookingIds) ?? []) as string[],
    legacyOid: Number(row.legacyOid),
    customerLegacyId: number(row.customerLegacyId),
    tracerLegacyId: number(row.tracerLegacyId),
    ...historyOf(row),
  }),
};

const HISTORY_ENTRY_SELECT = `\`position\`, event_type AS eventType, event_position AS eventPosition,
  CAST(stream_revision AS CHAR) AS streamRevision, ${moment('occurred_at', 'occurredAt')}, actor_id AS actorId,
  actor_name AS actorName, reason, details, signature`;

const historyEntryOf = (row: Row): OrderHistoryEntry => ({
  position: Number(row.position),
  eventType: String(row.eventType),
  eventPosition: String(row.eventPosition),
  streamRevision: String(row.streamRevision),
  occurredAt: instant(row.occurredAt),
  actor: { id: String(row.actorId), printedName: String(row.actorName) },
  reason: text(row.reason),
  details: json(row.details) as Record<string, unknown>,
  signature: json(row.signature) as SignatureBlock | null,
});

const releaseLookup: ListDefinition<ReleaseView> = {
  name: 'releases',
  table: orderingTables.releases,
  select: `release_id AS releaseId, kind, endpoint_id AS endpointId, customer_id AS customerId,
    ${day('delivery_date', 'deliveryDate')}, slot_id AS slotId, tracer_id AS tracerId, ghost_id AS ghostId,
    order_ids AS orderIds, lot, lots, ${double('delivered_activity_mbq', 'deliveredActivityMBq')},
    ${double('max_injection_volume_ml', 'maxInjectionVolumeMl')}, vial_ids AS vialIds,
    released_by_user_id AS releasedByUserId, released_by_username AS releasedByUsername,
    released_by_name AS releasedByName, released_by_legacy_id AS releasedByLegacyId, signature,
    ${moment('released_at', 'releasedAt')}, status, correction_reason AS correctionReason,
    ${moment('corrected_at', 'correctedAt')}, corrected_by_user_id AS correctedByUserId,
    corrected_by_name AS correctedByName, correction_signature AS correctionSignature, ${HISTORY_SELECT}`,
  sortKeys: [{ column: 'release_id', type: 'string', valueOf: (release) => release.releaseId }],
  toView: (row) => ({
    releaseId: String(row.releaseId),
    kind: row.kind as OrderKind,
    endpointId: String(row.endpointId),
    customerId: String(row.customerId),
    deliveryDate: String(row.deliveryDate),
    slotId: text(row.slotId),
    tracerId: String(row.tracerId),
    ghostId: text(row.ghostId),
    orderIds: json(row.orderIds) as string[],
    lot: text(row.lot),
    lots: json(row.lots) as string[],
    deliveredActivityMBq: number(row.deliveredActivityMBq),
    maxInjectionVolumeMl: number(row.maxInjectionVolumeMl),
    vialIds: json(row.vialIds) as string[],
    releasedBy: {
      userId: String(row.releasedByUserId),
      username: String(row.releasedByUsername),
      printedName: String(row.releasedByName),
      legacyUserId: number(row.releasedByLegacyId),
    },
    signature: json(row.signature) as SignatureBlock | null,
    releasedAt: instant(row.releasedAt),
    status: row.status as ReleaseView['status'],
    correction:
      row.status === 'corrected'
        ? {
            reason: String(row.correctionReason),
            correctedAt: instant(row.correctedAt),
            correctedBy: { userId: String(row.correctedByUserId), printedName: String(row.correctedByName) },
            signature: json(row.correctionSignature) as SignatureBlock | null,
          }
        : null,
    ...historyOf(row),
  }),
};

const vialList: ListDefinition<VialView> = {
  name: 'vials',
  table: orderingTables.vials,
  select: `vial_id AS vialId, lot, ${day('fill_date', 'fillDate')}, TIME_FORMAT(fill_time, '%H:%i:%s') AS fillTime,
    ${double('activity_mbq', 'activityMBq')}, ${double('volume_ml', 'volumeMl')}, dispenser_number AS dispenserNumber,
    depot_position AS depotPosition, ${double('gross_g', 'grossG')}, ${double('tare_g', 'tareG')}, ${double('net_g', 'netG')}, product,
    legacy_val_id AS legacyValId, release_id AS releaseId, release_stream_id AS releaseStreamId,
    ${moment('dispensed_at', 'dispensedAt')}, void_reason AS voidReason, ${moment('voided_at', 'voidedAt')},
    voided_by_name AS voidedByName, ${HISTORY_SELECT}`,
  sortKeys: [
    { column: 'fill_date', type: 'string', valueOf: (vial) => vial.fillDate },
    { column: 'fill_time', type: 'string', valueOf: (vial) => vial.fillTime },
    { column: 'vial_id', type: 'string', valueOf: (vial) => vial.vialId },
  ],
  toView: (row) => ({
    vialId: String(row.vialId),
    lot: String(row.lot),
    fillDate: String(row.fillDate),
    fillTime: String(row.fillTime),
    activityMBq: Number(row.activityMBq),
    volumeMl: Number(row.volumeMl),
    dispenserNumber: Number(row.dispenserNumber),
    depotPosition: Number(row.depotPosition),
    grossG: Number(row.grossG),
    tareG: Number(row.tareG),
    netG: Number(row.netG),
    product: String(row.product),
    legacyValId: Number(row.legacyValId),
    releaseId: text(row.releaseId),
    releaseStreamId: text(row.releaseStreamId),
    dispensedAt: instant(row.dispensedAt),
    voided:
      row.voidReason === null || row.voidReason === undefined
        ? null
        : { reason: String(row.voidReason), at: instant(row.voidedAt), byName: text(row.voidedByName) },
    ...historyOf(row),
  }),
};

// Filter validation: a bad filter is the client's mistake (400), never an empty page.

function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new InvalidReadQueryError(`${field} must be one of ${allowed.join(', ')}`, { field, value });
  }
  return value as T;
}

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidReadQueryError(`${field} must be an id`, { field, value });
  }
  return value;
}

function requireDate(value: unknown, field: string): CalendarDate {
  if (!isCalendarDate(value)) throw new InvalidReadQueryError(`${field} must be a date YYYY-MM-DD`, { field, value });
  return value;
}

function idCondition(column: string, value: unknown, field: string): Condition | null {
  return value === undefined ? null : { sql: `${column} = ?`, params: [requireId(value, field)] };
}

function dateCondition(sql: string, value: unknown, field: string): Condition | null {
  return value === undefined ? null : { sql, params: [requireDate(value, field)] };
}

/** `column IN (…)`; an empty list is a valid filter that matches nothing. */
function idsCondition(column: string, value: unknown, field: string): Condition | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new InvalidReadQueryError(`${field} must be a list of ids`, { field, value });
  const ids = value.map((id) => requireId(id, field));
  if (ids.length === 0) return { sql: 'FALSE', params: [] };
  return { sql: `${column} IN (${ids.map(() => '?').join(', ')})`, params: ids };
}

function statusCondition(value: unknown): Condition | null {
  if (value === undefined) return null;
  const statuses = (Array.isArray(value) ? value : [value]).map((status) =>
    requireOneOf(status, orderStatuses, 'status'),
  );
  if (statuses.length === 0)
    throw new InvalidReadQueryError('status must name at least one status', { field: 'status', value });
  return { sql: `status IN (${statuses.map(() => '?').join(', ')})`, params: statuses };
}

const isWithdrawn = (status: OrderStatus) => status === 'rejected' || status === 'cancelled';

/**
 * Queries over the ordering tables that `record.ordering` writes. Answers are as fresh as the
 * projection; to read a command's own write, wait for its position first
 * (`ProjectionEngine.waitForPosition('record.ordering', position)`).
 */
export class OrderingReadModel {
  private readonly tables: Readonly<Record<OrderingTable, string>>;

  /**
   * `timeZone`: the business time zone slot and production times are wall-clock times of
   * (`BUSINESS_TIME_ZONE`); a run's need decays over the real time between them.
   */
  constructor(
    private readonly pool: Pool,
    database: string,
    private readonly timeZone: string = DEFAULT_BUSINESS_TIME_ZONE,
  ) {
    assertValidDatabaseName(database);
    this.tables = Object.fromEntries(
      Object.values(orderingTables).map((table) => [table, `${quoteIdentifier(database)}.${quoteIdentifier(table)}`]),
    ) as Record<OrderingTable, string>;
  }

  /** The order with its full history, oldest first; null for an id never placed. */
  async getOrder(orderId: string): Promise<OrderDetailView | null> {
    const order = await this.one(orderList, { sql: 'order_id = ?', params: [orderId] });
    if (!order) return null;
    const history = await this.rows(
      `SELECT ${HISTORY_ENTRY_SELECT} FROM ${this.tables[orderingTables.orderHistory]}
       WHERE order_id = ? ORDER BY \`position\``,
      [orderId],
    );
    return { ...order, history: history.map(historyEntryOf) };
  }

  /** Orders by delivery date, time and id. */
  async listOrders(options: OrderListOptions): Promise<Page<OrderView>> {
    return this.page(orderList, options, [
      dateCondition('delivery_date = ?', options.deliveryDate, 'deliveryDate'),
      dateCondition('delivery_date >= ?', options.from, 'from'),
      dateCondition('delivery_date <= ?', options.to, 'to'),
      idCondition('endpoint_id', options.endpointId, 'endpointId'),
      idsCondition('customer_id', options.customerIds, 'customerIds'),
      idCondition('tracer_id', options.tracerId, 'tracerId'),
      statusCondition(options.status),
      options.kind === undefined ? null : { sql: 'kind = ?', params: [requireOneOf(options.kind, orderKinds, 'kind')] },
    ]);
  }

  /** The delivery day that decides commands on the order; null for an id never placed. */
  async locateOrder(orderId: string): Promise<OrderLocation | null> {
    const [row] = await this.rows(
      `SELECT kind, endpoint_id AS endpointId, customer_id AS customerId, ${day('delivery_date', 'deliveryDate')}
       FROM ${this.tables[orderingTables.orders]} WHERE order_id = ?`,
      [orderId],
    );
    if (!row) return null;
    return {
      kind: row.kind as OrderKind,
      endpointId: String(row.endpointId),
      customerId: String(row.customerId),
      deliveryDate: String(row.deliveryDate),
    };
  }

  /**
   * The production view of one tracer on one date: a column per slot that has anything on it (its
   * own orders, moved-in orders, a ghost, a release, dead ghosts), with the sums production works
   * from, and the tracer's injection orders.
   */
  async dayBoard(options: DayBoardOptions): Promise<DayBoard> {
    const date = requireDate(options.date, 'date');
    const tracerId = requireId(options.tracerId, 'tracerId');
    const customers = idsCondition('customer_id', options.customerIds, 'customerIds');
    const where = `tracer_id = ? AND delivery_date = ?${customers ? ` AND ${customers.sql}` : ''}`;
    const params = [tracerId, date, ...(customers?.params ?? [])];
    const [orderRows, ghostRows, releaseRows] = await Promise.all([
      this.rows(
        `SELECT ${ORDER_SELECT} FROM ${this.tables[orderingTables.orders]} WHERE ${where}
         ORDER BY delivery_time, order_id`,
        params,
      ),
      this.rows(
        `SELECT ghost_id AS ghostId, legacy_oid AS legacyOid, endpoint_id AS endpointId, customer_id AS customerId,
           slot_id AS slotId, production_run_id AS productionRunId, ${clock('delivery_time', 'deliveryTime')},
           run_number AS runNumber, status, hosted_count AS hostedCount, ${moment('dissolved_at', 'dissolvedAt')},
           dissolved_because AS dissolvedBecause, ${moment('created_at', 'createdAt')},
           created_position AS createdPosition
         FROM ${this.tables[orderingTables.ghosts]} WHERE ${where}`,
        params,
      ),
      this.rows(
        `SELECT release_id AS releaseId, slot_id AS slotId, ${double('delivered_activity_mbq', 'deliveredActivityMBq')}, lots,
           vial_ids AS vialIds
         FROM ${this.tables[orderingTables.releases]}
         WHERE ${where} AND kind = 'activity' AND status = 'released' ORDER BY released_at, release_id`,
        params,
      ),
    ]);
    const orders = orderRows.map((row) => orderList.toView(row));
    const slots = new Map<string, DayBoardSlot>();
    const slotOf = (
      meta: Pick<
        DayBoardSlot,
        'slotId' | 'endpointId' | 'customerId' | 'productionRunId' | 'deliveryTime' | 'runNumber'
      >,
    ) => {
      const existing = slots.get(meta.slotId);
      if (existing) return existing;
      const slot: DayBoardSlot = {
        ...meta,
        ordered: { orderIds: [], activityMBq: 0 },
        movedIn: { orders: [], activityMBq: 0 },
        movedOut: [],
        totalMBq: 0,
        deliversOnDate: options.calendar?.slotsDelivering.has(meta.slotId) ?? true,
        ghost: null,
        released: null,
        dead: [],
        orders: [],
      };
      slots.set(meta.slotId, slot);
      return slot;
    };

    for (const order of orders) {
      if (order.kind !== 'activity') continue;
      const party = { endpointId: order.endpointId, customerId: order.customerId };
      const ordered = slotOf({
        ...party,
        slotId: String(order.slotId),
        productionRunId: String(order.productionRunId),
        deliveryTime: order.deliveryTime,
        runNumber: Number(order.runNumber),
      });
      const active = slotOf({
        ...party,
        slotId: String(order.activeSlotId),
        productionRunId: String(order.activeProductionRunId),
        deliveryTime: String(order.activeDeliveryTime),
        runNumber: Number(order.activeRunNumber),
      });
      const row = boardRowOf(order);
      ordered.orders.push(row);
      if (active !== ordered) active.orders.push(row);
      if (isWithdrawn(order.status)) continue;
      if (active === ordered) {
        ordered.ordered.orderIds.push(order.orderId);
        ordered.ordered.activityMBq += row.servedMBq;
      } else {
        active.movedIn.orders.push({
          orderId: order.orderId,
          fromSlotId: ordered.slotId,
          fromDeliveryTime: ordered.deliveryTime,
          activityMBq: row.servedMBq,
        });
        active.movedIn.activityMBq += row.servedMBq;
        ordered.movedOut.push({ orderId: order.orderId, toSlotId: active.slotId, toDeliveryTime: active.deliveryTime });
      }
    }

    // Positions are opaque text: they compare as positions, not as strings.
    const byCreation = (a: Row, b: Row) =>
      Position.parse(String(a.createdPosition)).compareTo(Position.parse(String(b.createdPosition)));
    for (const ghost of ghostRows.sort(byCreation)) {
      const slot = slotOf({
        slotId: String(ghost.slotId),
        endpointId: String(ghost.endpointId),
        customerId: String(ghost.customerId),
        productionRunId: String(ghost.productionRunId),
        deliveryTime: String(ghost.deliveryTime),
        runNumber: Number(ghost.runNumber),
      });
      if (ghost.status === 'dead') {
        slot.dead.push({
          ghostId: String(ghost.ghostId),
          legacyOid: Number(ghost.legacyOid),
          dissolvedAt: optionalInstant(ghost.dissolvedAt),
          because: text(ghost.dissolvedBecause) as DissolvedBecause | null,
        });
      } else if (ghost.dissolvedAt === null) {
        slot.ghost = {
          ghostId: String(ghost.ghostId),
          legacyOid: Number(ghost.legacyOid),
          hostedCount: Number(ghost.hostedCount),
          createdAt: instant(ghost.createdAt),
        };
      }
    }

    for (const release of releaseRows) {
      // A release covers the slot's orders, so the slot is on the board already.
      const slot = slots.get(String(release.slotId));
      if (!slot) continue;
      const released = slot.released ?? { releaseIds: [], deliveredActivityMBq: 0, lots: [], vialIds: [] };
      released.releaseIds.push(String(release.releaseId));
      released.deliveredActivityMBq += Number(release.deliveredActivityMBq);
      for (const lot of json(release.lots) as string[]) if (!released.lots.includes(lot)) released.lots.push(lot);
      released.vialIds.push(...(json(release.vialIds) as string[]));
      slot.released = released;
    }

    const columns = [...slots.values()];
    // The orders recorded their run's number when placed; a run renumbered since shows as it is now.
    const runNumbers = new Map((options.productionRuns ?? []).map((run) => [run.productionRunId, run.runNumber]));
    for (const slot of columns) {
      slot.totalMBq = slot.ordered.activityMBq + slot.movedIn.activityMBq;
      slot.runNumber = runNumbers.get(slot.productionRunId) ?? slot.runNumber;
    }
    columns.sort(
      (a, b) =>
        compare(a.deliveryTime, b.deliveryTime) || compare(a.endpointId, b.endpointId) || compare(a.slotId, b.slotId),
    );
    return {
      date,
      tracerId,
      closed: options.calendar?.closed ?? null,
      slots: columns,
      runs: runsOf(orders, columns, options.productionRuns ?? [], { date, timeZone: this.timeZone }),
      injectionOrders: orders.filter((order) => order.kind === 'injection').map(injectionRowOf),
    };
  }

  /** A release, corrected or not, with its signature; null for an id never released. */
  async getRelease(releaseId: string): Promise<ReleaseView | null> {
    return this.one(releaseLookup, { sql: 'release_id = ?', params: [releaseId] });
  }

  /** Vials by fill date, fill time and id. */
  async listVials(options: VialListOptions): Promise<Page<VialView>> {
    const { dispenserNumber, assigned, voided, lot } = options;
    if (dispenserNumber !== undefined && (!Number.isInteger(dispenserNumber) || dispenserNumber < 0)) {
      throw new InvalidReadQueryError('dispenserNumber must be a whole number', {
        field: 'dispenserNumber',
        value: dispenserNumber,
      });
    }
    if (assigned !== undefined && typeof assigned !== 'boolean') {
      throw new InvalidReadQueryError('assigned must be true or false', { field: 'assigned', value: assigned });
    }
    if (voided !== undefined && typeof voided !== 'boolean') {
      throw new InvalidReadQueryError('voided must be true or false', { field: 'voided', value: voided });
    }
    if (lot !== undefined && (typeof lot !== 'string' || lot.trim().length === 0)) {
      throw new InvalidReadQueryError('lot must be a lot number', { field: 'lot', value: lot });
    }
    return this.page(vialList, options, [
      dateCondition('fill_date = ?', options.fillDate, 'fillDate'),
      lot === undefined ? null : { sql: 'lot = ?', params: [normaliseLotNumber(lot)] },
      dispenserNumber === undefined ? null : { sql: 'dispenser_number = ?', params: [dispenserNumber] },
      assigned === undefined ? null : { sql: assigned ? 'release_id IS NOT NULL' : 'release_id IS NULL', params: [] },
      voided === undefined ? null : { sql: voided ? 'void_reason IS NOT NULL' : 'void_reason IS NULL', params: [] },
    ]);
  }

  async getVial(vialId: string): Promise<VialView | null> {
    return this.one(vialList, { sql: 'vial_id = ?', params: [vialId] });
  }

  private page<V>(
    list: ListDefinition<V>,
    options: OrderingPageOptions,
    filters: (Condition | null)[],
  ): Promise<Page<V>> {
    const rows = (sql: string, params: unknown[]) => this.rows(sql, params);
    return keysetPage(rows, this.tables[list.table], list, { limit: options.limit, cursor: options.after }, filters);
  }

  private async one<V>(list: ListDefinition<V>, key: Condition): Promise<V | null> {
    const [row] = await this.rows(`SELECT ${list.select} FROM ${this.tables[list.table]} WHERE ${key.sql}`, key.params);
    return row ? list.toView(row) : null;
  }

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    const [rows] = await this.pool.query(sql, params);
    return rows as Row[];
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The day's runs: what each must produce at its production time for the orders it serves (rules,
 * "Production for a run at t_p"), from each order's served MBq at its delivering slot's time.
 */
function runsOf(
  orders: readonly OrderView[],
  slots: readonly DayBoardSlot[],
  given: NonNullable<DayBoardOptions['productionRuns']>,
  day: BusinessDay,
): DayBoardRun[] {
  const runs = new Map<string, DayBoardRun>();
  const runOf = (productionRunId: string, runNumber: number) => {
    let run = runs.get(productionRunId);
    if (!run) {
      const productionTime = given.find((candidate) => candidate.productionRunId === productionRunId)?.productionTime;
      run = {
        productionRunId,
        runNumber,
        productionTime: productionTime ?? null,
        slotIds: [],
        deliveredMBq: 0,
        activityAtProductionMBq: productionTime === undefined ? null : 0,
      };
      runs.set(productionRunId, run);
    }
    return run;
  };
  for (const run of given) if (!run.archived) runOf(run.productionRunId, run.runNumber);
  for (const slot of slots) {
    // A slot whose orders were all withdrawn or moved away asks nothing of its run.
    if (slot.ordered.orderIds.length === 0 && slot.movedIn.orders.length === 0) continue;
    const run = runOf(slot.productionRunId, slot.runNumber);
    run.slotIds.push(slot.slotId);
    run.deliveredMBq += slot.totalMBq;
  }
  for (const order of orders) {
    if (order.kind !== 'activity' || isWithdrawn(order.status) || order.activeProductionRunId === null) continue;
    const run = runs.get(order.activeProductionRunId);
    if (!run || run.productionTime === null || run.activityAtProductionMBq === null) continue;
    const servedAt = String(order.activeDeliveryTime);
    const halfLife = Number(order.halfLifeSeconds);
    // Without a half-life the run's need is unknown, not smaller.
    if (!(halfLife > 0)) {
      run.activityAtProductionMBq = null;
      continue;
    }
    run.activityAtProductionMBq +=
      Number(order.activityServedMBq) * decayFactor(secondsBetween(run.productionTime, servedAt, day), halfLife);
  }
  return [...runs.values()].sort((a, b) => a.runNumber - b.runNumber || compare(a.productionRunId, b.productionRunId));
}

function boardRowOf(order: OrderView): DayBoardOrderRow {
  return {
    orderId: order.orderId,
    legacyOid: order.legacyOid,
    customerId: order.customerId,
    endpointId: order.endpointId,
    status: order.status,
    statusCode: order.statusCode,
    activityMBq: Number(order.activityMBq),
    overheadPercent: Number(order.overheadPercent),
    servedMBq: Number(order.activityServedMBq),
    orderedSlotId: String(order.slotId),
    orderedDeliveryTime: order.deliveryTime,
    activeSlotId: String(order.activeSlotId),
    moved: order.moved,
    decayFactor: Number(order.decayFactor),
    comment: order.comment,
    releaseId: order.releaseId,
    lot: order.lot,
    lots: order.lots,
  };
}

function injectionRowOf(order: OrderView): DayBoardInjectionRow {
  return {
    orderId: order.orderId,
    legacyOid: order.legacyOid,
    customerId: order.customerId,
    endpointId: order.endpointId,
    deliveryTime: order.deliveryTime,
    injections: Number(order.injections),
    usage: order.usage as InjectionUsage,
    status: order.status,
    statusCode: order.statusCode,
    comment: order.comment,
    releaseId: order.releaseId,
    lot: order.lot,
    lots: order.lots,
  };
}
