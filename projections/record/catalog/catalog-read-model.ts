import type { Pool } from 'mysql2/promise';
import {
  isCalendarDate,
  isIsoWeekday,
  tracerKinds,
  tracerPermissionId,
  weeklyCloseDaysStreamName,
  type CalendarDate,
  type ClosedDays,
  type Customer,
  type DeliveryEndpoint,
  type DeliveryTimeSlot,
  type Isotope,
  type IsoWeekday,
  type Lifecycle,
  type OrderingDeadline,
  type OrderingDeadlineKind,
  type ProductionRun,
  type ServedSlot,
  type Tracer,
  type TracerKind,
  type TracerPermission,
} from '@tracershop/domain/catalog';
import { assertValidDatabaseName, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { catalogTables, weeklyCloseDaysScope, type CatalogTable } from './catalog-tables';
import {
  InvalidReadQueryError,
  keysetPage,
  type Condition,
  type ListDefinition as KeysetList,
  type SortKey,
} from './keyset-paging';

// What the API answers with: the domain's entity, its lifecycle, and where it stands in history.

export interface RecordHistory {
  /** Stream revision of the latest event, as the command side reports revisions (decimal string). */
  revision: string;
  createdPosition: string;
  updatedPosition: string;
  /** ISO instants (UTC): the business time of the creating and of the latest event. */
  createdAt: string;
  updatedAt: string;
}

export interface LifecycleView {
  status: Lifecycle;
  archivedReason: string | null;
}

export type IsotopeView = Isotope & LifecycleView & RecordHistory;
export type TracerView = Tracer & LifecycleView & RecordHistory;
export type CustomerView = Customer & LifecycleView & RecordHistory;
export type DeliveryEndpointView = DeliveryEndpoint & LifecycleView & RecordHistory;
export type ProductionRunView = ProductionRun & LifecycleView & RecordHistory;
export type DeliveryTimeSlotView = DeliveryTimeSlot & LifecycleView & RecordHistory;

export type TracerPermissionStatus = 'granted' | 'revoked';
export type TracerPermissionView = TracerPermission & {
  status: TracerPermissionStatus;
  revokedReason: string | null;
} & RecordHistory;

export type ClosedDateStatus = 'closed' | 'reopened';
export interface ClosedDateView extends RecordHistory {
  date: CalendarDate;
  status: ClosedDateStatus;
  /** Legacy `blockDeliverDate.BDID`, kept through reopenings. */
  legacyId: number;
  /** Of the latest close or reopen. */
  reason: string;
}

/** A deadline production set (the history of its latest change); none until first set. */
export interface OrderingDeadlineView {
  deadline: OrderingDeadline;
  reason: string;
  revision: string;
  updatedPosition: string;
  updatedAt: string;
}

export interface WeeklyCloseDaysView {
  /** Bit 0 = Monday … bit 6 = Sunday; 0 until first set. */
  mask: number;
  weekdays: IsoWeekday[];
  /** Of the latest change; the history fields are null until the setting was first changed. */
  reason: string | null;
  revision: string | null;
  updatedPosition: string | null;
  updatedAt: string | null;
}

// List options: a page size, the previous page's cursor, a status (default: the ones in use), filters.

export interface PageOptions {
  /** 1 … 500. */
  limit: number;
  /** `nextCursor` of the previous page; omit for the first page. */
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Pass it as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export type LifecycleFilter = Lifecycle | 'all';

export interface LifecycleListOptions extends PageOptions {
  /** Default `active`. */
  status?: LifecycleFilter;
}

export interface TracerListOptions extends LifecycleListOptions {
  isotopeId?: string;
  kind?: TracerKind;
  inUse?: boolean;
}

export interface CustomerListOptions extends LifecycleListOptions {
  /** Only these customers (a shop user's own); an empty list matches nothing. */
  ids?: readonly string[];
}

export interface DeliveryEndpointListOptions extends LifecycleListOptions {
  customerId?: string;
}

export interface ProductionRunListOptions extends LifecycleListOptions {
  tracerId?: string;
  weekday?: IsoWeekday;
}

export interface DeliveryTimeSlotListOptions extends LifecycleListOptions {
  endpointId?: string;
  productionRunId?: string;
  weekday?: IsoWeekday;
}

export interface TracerPermissionListOptions extends PageOptions {
  /** Default `granted`. */
  status?: TracerPermissionStatus | 'all';
  endpointId?: string;
  tracerId?: string;
}

export interface ClosedDateListOptions extends PageOptions {
  /** Default `closed`. */
  status?: ClosedDateStatus | 'all';
  /** Inclusive bounds, YYYY-MM-DD. */
  from?: CalendarDate;
  to?: CalendarDate;
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

const INSTANT_FORMAT = `'%Y-%m-%d %H:%i:%s.%f'`;
const clock = (column: string, alias: string) => `TIME_FORMAT(${column}, '%H:%i') AS ${alias}`;
const day = (column: string, alias: string) => `DATE_FORMAT(${column}, '%Y-%m-%d') AS ${alias}`;

const HISTORY_SELECT = `CAST(revision AS CHAR) AS revision, created_position AS createdPosition,
  updated_position AS updatedPosition, DATE_FORMAT(created_at, ${INSTANT_FORMAT}) AS createdAt,
  DATE_FORMAT(updated_at, ${INSTANT_FORMAT}) AS updatedAt`;
const LIFECYCLE_SELECT = `status, archived_reason AS archivedReason, ${HISTORY_SELECT}`;

function historyOf(row: Row): RecordHistory {
  return {
    revision: String(row.revision),
    createdPosition: String(row.createdPosition),
    updatedPosition: String(row.updatedPosition),
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
  };
}

function lifecycleOf(row: Row): LifecycleView & RecordHistory {
  return { status: row.status as Lifecycle, archivedReason: text(row.archivedReason), ...historyOf(row) };
}

type ListDefinition<V> = KeysetList<V, CatalogTable>;

const byId = <V extends { id: string }>(): SortKey<V> => ({ column: 'id', type: 'string', valueOf: (item) => item.id });

const isotopeList: ListDefinition<IsotopeView> = {
  name: 'isotopes',
  table: catalogTables.isotopes,
  select: `id, name, atomic_number AS atomicNumber, atomic_mass AS atomicMass,
    half_life_seconds AS halfLifeSeconds, metastable, legacy_id AS legacyId, ${LIFECYCLE_SELECT}`,
  sortKeys: [{ column: 'name', type: 'string', valueOf: (isotope) => isotope.name }, byId()],
  toView: (row) => ({
    id: String(row.id),
    name: String(row.name),
    atomicNumber: Number(row.atomicNumber),
    atomicMass: Number(row.atomicMass),
    halfLifeSeconds: Number(row.halfLifeSeconds),
    metastable: flag(row.metastable),
    legacyId: Number(row.legacyId),
    ...lifecycleOf(row),
  }),
};

const tracerList: ListDefinition<TracerView> = {
  name: 'tracers',
  table: catalogTables.tracers,
  select: `id, isotope_id AS isotopeId, kind, short_name AS shortName, clinical_name AS clinicalName,
    vial_tag AS vialTag, in_use AS inUse, legacy, legacy_id AS legacyId, ${LIFECYCLE_SELECT}`,
  sortKeys: [{ column: 'short_name', type: 'string', valueOf: (tracer) => tracer.shortName }, byId()],
  toView: (row) => ({
    id: String(row.id),
    isotopeId: String(row.isotopeId),
    kind: row.kind as TracerKind,
    shortName: String(row.shortName),
    clinicalName: String(row.clinicalName),
    vialTag: String(row.vialTag),
    inUse: flag(row.inUse),
    legacy: json(row.legacy) as Tracer['legacy'],
    legacyId: Number(row.legacyId),
    ...lifecycleOf(row),
  }),
};

const customerList: ListDefinition<CustomerView> = {
  name: 'customers',
  table: catalogTables.customers,
  select: `id, short_name AS shortName, long_name AS longName, dispenser_number AS dispenserNumber,
    overhead_percent AS overheadPercent, contact_person AS contactPerson, emails, phone,
    billing_address AS billingAddress, billing_city AS billingCity, billing_zip AS billingZip, legacy,
    legacy_id AS legacyId, ${LIFECYCLE_SELECT}`,
  sortKeys: [{ column: 'short_name', type: 'string', valueOf: (customer) => customer.shortName }, byId()],
  toView: (row) => ({
    id: String(row.id),
    shortName: String(row.shortName),
    longName: String(row.longName),
    dispenserNumber: Number(row.dispenserNumber),
    overheadPercent: Number(row.overheadPercent),
    contactPerson: text(row.contactPerson),
    emails: (json(row.emails) ?? []) as string[],
    phone: text(row.phone),
    billingAddress: text(row.billingAddress),
    billingCity: text(row.billingCity),
    billingZip: text(row.billingZip),
    legacy: json(row.legacy) as Customer['legacy'],
    legacyId: Number(row.legacyId),
    ...lifecycleOf(row),
  }),
};

const deliveryEndpointList: ListDefinition<DeliveryEndpointView> = {
  name: 'deliveryEndpoints',
  table: catalogTables.deliveryEndpoints,
  select: `id, customer_id AS customerId, name, address, city, zip, phone, ${LIFECYCLE_SELECT}`,
  sortKeys: [{ column: 'name', type: 'string', valueOf: (endpoint) => endpoint.name }, byId()],
  toView: (row) => ({
    id: String(row.id),
    customerId: String(row.customerId),
    name: String(row.name),
    address: text(row.address),
    city: text(row.city),
    zip: text(row.zip),
    phone: text(row.phone),
    ...lifecycleOf(row),
  }),
};

const productionRunList: ListDefinition<ProductionRunView> = {
  name: 'productionRuns',
  table: catalogTables.productionRuns,
  select: `id, tracer_id AS tracerId, weekday, ${clock('production_time', 'productionTime')},
    run_number AS runNumber, max_activity_mbq AS maxActivityMBq, legacy_id AS legacyId, ${LIFECYCLE_SELECT}`,
  sortKeys: [
    { column: 'weekday', type: 'number', valueOf: (run) => run.weekday },
    { column: 'production_time', type: 'string', valueOf: (run) => run.productionTime },
    byId(),
  ],
  toView: (row) => ({
    id: String(row.id),
    tracerId: String(row.tracerId),
    weekday: Number(row.weekday) as IsoWeekday,
    productionTime: String(row.productionTime),
    runNumber: Number(row.runNumber),
    maxActivityMBq: number(row.maxActivityMBq),
    legacyId: Number(row.legacyId),
    ...lifecycleOf(row),
  }),
};

const deliveryTimeSlotList: ListDefinition<DeliveryTimeSlotView> = {
  name: 'deliveryTimeSlots',
  table: catalogTables.deliveryTimeSlots,
  select: `id, endpoint_id AS endpointId, production_run_id AS productionRunId, weekday,
    ${clock('delivery_time', 'deliveryTime')}, weekly_repeat AS \`repeat\`, max_activity_mbq AS maxActivityMBq,
    ${day('expiry_date', 'expiryDate')}, legacy_id AS legacyId, ${LIFECYCLE_SELECT}`,
  sortKeys: [
    { column: 'weekday', type: 'number', valueOf: (slot) => slot.weekday },
    { column: 'delivery_time', type: 'string', valueOf: (slot) => slot.deliveryTime },
    byId(),
  ],
  toView: (row) => ({
    id: String(row.id),
    endpointId: String(row.endpointId),
    productionRunId: String(row.productionRunId),
    weekday: Number(row.weekday) as IsoWeekday,
    deliveryTime: String(row.deliveryTime),
    repeat: row.repeat as DeliveryTimeSlot['repeat'],
    maxActivityMBq: number(row.maxActivityMBq),
    expiryDate: text(row.expiryDate),
    legacyId: Number(row.legacyId),
    ...lifecycleOf(row),
  }),
};

const tracerPermissionList: ListDefinition<TracerPermissionView> = {
  name: 'tracerPermissions',
  table: catalogTables.tracerPermissions,
  select: `id, endpoint_id AS endpointId, tracer_id AS tracerId, overhead_percent AS overheadPercent,
    max_injections AS maxInjections, legacy_id AS legacyId, status, revoked_reason AS revokedReason,
    ${HISTORY_SELECT}`,
  sortKeys: [
    { column: 'endpoint_id', type: 'string', valueOf: (permission) => permission.endpointId },
    { column: 'tracer_id', type: 'string', valueOf: (permission) => permission.tracerId },
  ],
  toView: (row) => ({
    id: String(row.id),
    endpointId: String(row.endpointId),
    tracerId: String(row.tracerId),
    overheadPercent: number(row.overheadPercent),
    maxInjections: number(row.maxInjections),
    legacyId: Number(row.legacyId),
    status: row.status as TracerPermissionStatus,
    revokedReason: text(row.revokedReason),
    ...historyOf(row),
  }),
};

const closedDateList: ListDefinition<ClosedDateView> = {
  name: 'closedDates',
  table: catalogTables.closedDates,
  select: `${day('`date`', '`date`')}, status, reason, legacy_id AS legacyId, ${HISTORY_SELECT}`,
  sortKeys: [{ column: '`date`', type: 'string', valueOf: (closed) => closed.date }],
  toView: (row) => ({
    date: String(row.date),
    status: row.status as ClosedDateStatus,
    reason: String(row.reason),
    legacyId: Number(row.legacyId),
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

function statusCondition<T extends string>(value: unknown, allowed: readonly T[], fallback: T): Condition | null {
  const status = requireOneOf(value ?? fallback, [...allowed, 'all'], 'status');
  return status === 'all' ? null : { sql: 'status = ?', params: [status] };
}

function idCondition(column: string, value: unknown, field: string): Condition | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidReadQueryError(`${field} must be an id`, { field, value });
  }
  return { sql: `${column} = ?`, params: [value] };
}

function idsCondition(column: string, value: unknown, field: string): Condition | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new InvalidReadQueryError(`${field} must be a list of ids`, { field, value });
  for (const id of value) {
    if (typeof id !== 'string' || id.length === 0)
      throw new InvalidReadQueryError(`${field} must be ids`, { field, value });
  }
  if (value.length === 0) return { sql: 'FALSE', params: [] };
  return { sql: `${column} IN (${value.map(() => '?').join(', ')})`, params: value };
}

function weekdayCondition(value: unknown): Condition | null {
  if (value === undefined) return null;
  if (!isIsoWeekday(value))
    throw new InvalidReadQueryError('weekday must be 1 (Monday) … 7 (Sunday)', { field: 'weekday', value });
  return { sql: 'weekday = ?', params: [value] };
}

function requireFlag(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new InvalidReadQueryError(`${field} must be true or false`, { field, value });
  return value;
}

function requireDate(value: unknown, field: string): CalendarDate {
  if (!isCalendarDate(value)) throw new InvalidReadQueryError(`${field} must be a date YYYY-MM-DD`, { field, value });
  return value;
}

const LIFECYCLES: readonly Lifecycle[] = ['active', 'archived'];
const WEEKDAYS: readonly IsoWeekday[] = [1, 2, 3, 4, 5, 6, 7];

/**
 * Queries over the catalogue tables that `record.catalog` writes. Answers are as fresh as the
 * projection; to read a command's own write, wait for its position first
 * (`ProjectionEngine.waitForPosition('record.catalog', position)`).
 */
export class CatalogReadModel {
  private readonly tables: Readonly<Record<CatalogTable, string>>;

  constructor(
    private readonly pool: Pool,
    database: string,
  ) {
    assertValidDatabaseName(database);
    this.tables = Object.fromEntries(
      Object.values(catalogTables).map((table) => [table, `${quoteIdentifier(database)}.${quoteIdentifier(table)}`]),
    ) as Record<CatalogTable, string>;
  }

  async listIsotopes(options: LifecycleListOptions): Promise<Page<IsotopeView>> {
    return this.page(isotopeList, options, [statusCondition(options.status, LIFECYCLES, 'active')]);
  }

  async getIsotope(id: string): Promise<IsotopeView | null> {
    return this.one(isotopeList, { sql: 'id = ?', params: [id] });
  }

  async listTracers(options: TracerListOptions): Promise<Page<TracerView>> {
    return this.page(tracerList, options, [
      statusCondition(options.status, LIFECYCLES, 'active'),
      idCondition('isotope_id', options.isotopeId, 'isotopeId'),
      options.kind === undefined
        ? null
        : { sql: 'kind = ?', params: [requireOneOf(options.kind, tracerKinds, 'kind')] },
      options.inUse === undefined ? null : { sql: 'in_use = ?', params: [requireFlag(options.inUse, 'inUse')] },
    ]);
  }

  async getTracer(id: string): Promise<TracerView | null> {
    return this.one(tracerList, { sql: 'id = ?', params: [id] });
  }

  async listCustomers(options: CustomerListOptions): Promise<Page<CustomerView>> {
    return this.page(customerList, options, [
      statusCondition(options.status, LIFECYCLES, 'active'),
      idsCondition('id', options.ids, 'ids'),
    ]);
  }

  async getCustomer(id: string): Promise<CustomerView | null> {
    return this.one(customerList, { sql: 'id = ?', params: [id] });
  }

  async listDeliveryEndpoints(options: DeliveryEndpointListOptions): Promise<Page<DeliveryEndpointView>> {
    return this.page(deliveryEndpointList, options, [
      statusCondition(options.status, LIFECYCLES, 'active'),
      idCondition('customer_id', options.customerId, 'customerId'),
    ]);
  }

  async getDeliveryEndpoint(id: string): Promise<DeliveryEndpointView | null> {
    return this.one(deliveryEndpointList, { sql: 'id = ?', params: [id] });
  }

  async listProductionRuns(options: ProductionRunListOptions): Promise<Page<ProductionRunView>> {
    return this.page(productionRunList, options, [
      statusCondition(options.status, LIFECYCLES, 'active'),
      idCondition('tracer_id', options.tracerId, 'tracerId'),
      weekdayCondition(options.weekday),
    ]);
  }

  async getProductionRun(id: string): Promise<ProductionRunView | null> {
    return this.one(productionRunList, { sql: 'id = ?', params: [id] });
  }

  async listDeliveryTimeSlots(options: DeliveryTimeSlotListOptions): Promise<Page<DeliveryTimeSlotView>> {
    return this.page(deliveryTimeSlotList, options, [
      statusCondition(options.status, LIFECYCLES, 'active'),
      idCondition('endpoint_id', options.endpointId, 'endpointId'),
      idCondition('production_run_id', options.productionRunId, 'productionRunId'),
      weekdayCondition(options.weekday),
    ]);
  }

  async getDeliveryTimeSlot(id: string): Promise<DeliveryTimeSlotView | null> {
    return this.one(deliveryTimeSlotList, { sql: 'id = ?', params: [id] });
  }

  async listTracerPermissions(options: TracerPermissionListOptions): Promise<Page<TracerPermissionView>> {
    return this.page(tracerPermissionList, options, [
      statusCondition(options.status, ['granted', 'revoked'] as const, 'granted'),
      idCondition('endpoint_id', options.endpointId, 'endpointId'),
      idCondition('tracer_id', options.tracerId, 'tracerId'),
    ]);
  }

  /** By `tracerPermissionId(endpointId, tracerId)`; granted or revoked. */
  async getTracerPermission(id: string): Promise<TracerPermissionView | null> {
    const pair = tracerPermissionPair(id);
    if (!pair) return null;
    return this.one(tracerPermissionList, {
      sql: 'endpoint_id = ? AND tracer_id = ?',
      params: [pair.endpointId, pair.tracerId],
    });
  }

  async listClosedDates(options: ClosedDateListOptions): Promise<Page<ClosedDateView>> {
    return this.page(closedDateList, options, [
      statusCondition(options.status, ['closed', 'reopened'] as const, 'closed'),
      options.from === undefined ? null : { sql: '`date` >= ?', params: [requireDate(options.from, 'from')] },
      options.to === undefined ? null : { sql: '`date` <= ?', params: [requireDate(options.to, 'to')] },
    ]);
  }

  /** A date that was ever closed, closed now or reopened; null for a date never closed. */
  async getClosedDate(date: CalendarDate): Promise<ClosedDateView | null> {
    return this.one(closedDateList, { sql: '`date` = ?', params: [requireDate(date, 'date')] });
  }

  // Lookups for command handlers: the refs no single stream holds.

  /** The active slots a production run serves (`UpdateProductionRun`, `ArchiveProductionRun`). */
  async servedSlots(productionRunId: string): Promise<ServedSlot[]> {
    const rows = await this.rows(
      `SELECT id, TIME_FORMAT(delivery_time, '%H:%i') AS deliveryTime FROM ${this.tables[catalogTables.deliveryTimeSlots]}
       WHERE production_run_id = ? AND status = 'active' ORDER BY delivery_time, id`,
      [productionRunId],
    );
    return rows.map((row) => ({ slotId: String(row.id), deliveryTime: String(row.deliveryTime) }));
  }

  /** A customer's active delivery endpoints (`ArchiveDeliveryEndpoint` keeps at least one). */
  async activeEndpointIds(customerId: string): Promise<string[]> {
    const rows = await this.rows(
      `SELECT id FROM ${this.tables[catalogTables.deliveryEndpoints]}
       WHERE customer_id = ? AND status = 'active' ORDER BY id`,
      [customerId],
    );
    return rows.map((row) => String(row.id));
  }

  /**
   * The tracers, archived ones too, whose vial tag is this one whatever the case: a lot names its
   * tracer by the tag alone (`RegisterTracer`, `UpdateTracer` keep it unique).
   */
  async tracerIdsWithVialTag(vialTag: string): Promise<string[]> {
    const rows = await this.rows(
      `SELECT id FROM ${this.tables[catalogTables.tracers]} WHERE LOWER(vial_tag) = LOWER(?) ORDER BY id`,
      [vialTag.trim()],
    );
    return rows.map((row) => String(row.id));
  }

  /** The active customer whose legacy `Users.Id` this is (the old system's `BID`), or null. */
  async customerIdOfLegacyUser(legacyId: number): Promise<string | null> {
    const [row] = await this.rows(
      `SELECT id FROM ${this.tables[catalogTables.customers]} WHERE legacy_id = ? AND status = 'active' ORDER BY id`,
      [legacyId],
    );
    return row ? String(row.id) : null;
  }

  /** The tracer whose legacy `Tracers.id` this is (the old system's `tracer`), or null. */
  async tracerIdOfLegacyTracer(legacyId: number): Promise<string | null> {
    const [row] = await this.rows(
      `SELECT id FROM ${this.tables[catalogTables.tracers]} WHERE legacy_id = ? ORDER BY status = 'active' DESC, id`,
      [legacyId],
    );
    return row ? String(row.id) : null;
  }

  /** The permission that holds legacy `TracerCustomer.ID` (granted or revoked), or null. */
  async tracerPermissionOfLegacyId(
    legacyId: number,
  ): Promise<{ endpointId: string; tracerId: string; granted: boolean } | null> {
    const [row] = await this.rows(
      `SELECT endpoint_id, tracer_id, status FROM ${this.tables[catalogTables.tracerPermissions]} WHERE legacy_id = ?`,
      [legacyId],
    );
    return row
      ? { endpointId: String(row.endpoint_id), tracerId: String(row.tracer_id), granted: row.status === 'granted' }
      : null;
  }

  /** The slot that holds legacy `deliverTimes.DTID` (active or archived), or null. */
  async deliveryTimeSlotOfLegacyId(legacyId: number): Promise<{ slotId: string; active: boolean } | null> {
    const [row] = await this.rows(
      `SELECT id, status FROM ${this.tables[catalogTables.deliveryTimeSlots]} WHERE legacy_id = ?`,
      [legacyId],
    );
    return row ? { slotId: String(row.id), active: row.status === 'active' } : null;
  }

  /** The production run that holds legacy `productionTimes.PTID` (active or archived), or null. */
  async productionRunOfLegacyId(legacyId: number): Promise<{ productionRunId: string; active: boolean } | null> {
    const [row] = await this.rows(
      `SELECT id, status FROM ${this.tables[catalogTables.productionRuns]} WHERE legacy_id = ?`,
      [legacyId],
    );
    return row ? { productionRunId: String(row.id), active: row.status === 'active' } : null;
  }

  /** The tracer's active production runs on the weekday with this run number (legacy `deliverTimes.run`). */
  async productionRunIdsOf(tracerId: string, weekday: number, runNumber: number): Promise<string[]> {
    const rows = await this.rows(
      `SELECT id FROM ${this.tables[catalogTables.productionRuns]}
       WHERE tracer_id = ? AND weekday = ? AND run_number = ? AND status = 'active' ORDER BY id`,
      [tracerId, weekday, runNumber],
    );
    return rows.map((row) => String(row.id));
  }

  /** Dates closed now between `from` and `to`, both inclusive, in order. */
  async closedDates(from: CalendarDate, to: CalendarDate): Promise<CalendarDate[]> {
    const rows = await this.rows(
      `SELECT DATE_FORMAT(\`date\`, '%Y-%m-%d') AS closedDate FROM ${this.tables[catalogTables.closedDates]}
       WHERE \`date\` BETWEEN ? AND ? AND status = 'closed' ORDER BY \`date\``,
      [requireDate(from, 'from'), requireDate(to, 'to')],
    );
    return rows.map((row) => String(row.closedDate));
  }

  /** The shop's weekly close days; none until they were first set. */
  async weeklyCloseDays(): Promise<WeeklyCloseDaysView> {
    const [row] = await this.rows(
      `SELECT mask, reason, ${HISTORY_SELECT} FROM ${this.tables[catalogTables.weeklyCloseDays]} WHERE scope = ?`,
      [weeklyCloseDaysScope(weeklyCloseDaysStreamName())],
    );
    const mask = row ? Number(row.mask) : 0;
    const weekdays = WEEKDAYS.filter((weekday) => (mask & (1 << (weekday - 1))) !== 0);
    if (!row) return { mask, weekdays, reason: null, revision: null, updatedPosition: null, updatedAt: null };
    const { revision, updatedPosition, updatedAt } = historyOf(row);
    return { mask, weekdays, reason: String(row.reason), revision, updatedPosition, updatedAt };
  }

  /** The deadlines production set, by kind; null for a kind never set (the configured one holds). */
  async orderingDeadlines(): Promise<Record<OrderingDeadlineKind, OrderingDeadlineView | null>> {
    const rows = await this.rows(
      `SELECT CAST(kind AS CHAR) AS kind, CAST(deadline_kind AS CHAR) AS deadlineKind, weekday,
              deadline_time AS deadlineTime, reason, ${HISTORY_SELECT}
         FROM ${this.tables[catalogTables.orderingDeadlines]}`,
      [],
    );
    const deadlines: Record<OrderingDeadlineKind, OrderingDeadlineView | null> = { activity: null, injection: null };
    for (const row of rows) {
      const time = String(row.deadlineTime);
      const deadline: OrderingDeadline =
        row.deadlineKind === 'weekly'
          ? { kind: 'weekly', weekday: Number(row.weekday) as IsoWeekday, time }
          : { kind: 'daily', time };
      const { revision, updatedPosition, updatedAt } = historyOf(row);
      deadlines[String(row.kind) as OrderingDeadlineKind] = {
        deadline,
        reason: String(row.reason),
        revision,
        updatedPosition,
        updatedAt,
      };
    }
    return deadlines;
  }

  /** Both kinds of closure in the shape `slotDeliversOn` takes. */
  async closedDays(from: CalendarDate, to: CalendarDate): Promise<ClosedDays> {
    const [dates, weekly] = await Promise.all([this.closedDates(from, to), this.weeklyCloseDays()]);
    return { dates, weeklyCloseDays: weekly.mask };
  }

  private page<V>(list: ListDefinition<V>, options: PageOptions, filters: (Condition | null)[]): Promise<Page<V>> {
    const rows = (sql: string, params: unknown[]) => this.rows(sql, params);
    return keysetPage(rows, this.tables[list.table], list, { limit: options.limit, cursor: options.cursor }, filters);
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

/** The (endpoint, tracer) pair of a permission id; null for anything `tracerPermissionId` cannot return. */
function tracerPermissionPair(id: string): { endpointId: string; tracerId: string } | null {
  const parts = id.split(':');
  if (parts.length !== 2) return null;
  try {
    const [endpointId, tracerId] = parts.map((part) => decodeURIComponent(part));
    return tracerPermissionId(endpointId, tracerId) === id ? { endpointId, tracerId } : null;
  } catch {
    return null;
  }
}
