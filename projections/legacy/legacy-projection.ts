import type { RecordedEvent } from '@tracershop/event-store';
import {
  catalogEventSchemaVersions,
  catalogUpcasters,
  tracerPermissionId,
  type CatalogEvent,
  type CustomerLegacyAttributes,
  type DeliveryTimeSlotScheduledData,
  type ProductionRunScheduledData,
  type TracerKind,
  type TracerLegacyAttributes,
  type WeeklyRepeat,
} from '@tracershop/domain/catalog';
import { identityEventSchemaVersions, type IdentityEvent, type Role } from '@tracershop/domain/identity';
import {
  deliveryDayId,
  orderingEventSchemaVersions,
  type DeliveryDayEvent,
  type OrderingEvent,
  type Vial,
} from '@tracershop/domain/ordering';
import {
  businessCalendarEventSchemaVersions,
  isReservedLegacyId,
  legacyEventSchemaVersions,
  legacyIdTables,
  OLD_SYSTEM_SOURCE,
  type BusinessCalendarEvent,
  type LegacyIdBlockEvent,
  type LegacyIdTable,
} from '@tracershop/domain/legacy';
import type { Projection, ProjectionTransaction, ShadowMerge } from '@tracershop/projections/engine';
import {
  deriveCustomerDayRows,
  evolveDay,
  FDG_LEGACY_TRACER_ID,
  newDayState,
  followSlotSchedule,
  type SlotSchedule,
  type DayFacts,
  type DayOrder,
  type LegacyDayState,
} from './legacy-delivery-day';
import { flushRows, syncRows, type AdoptedRow, type LegacyRow } from './legacy-rows';
import {
  legacyColumns,
  legacyColumnsNotOwned,
  legacyContractTables,
  legacyTableDefinitions,
  LEGACY_STATE_TABLE,
  type LegacyContractTable,
} from './legacy-tables';
import { clockTime, DEFAULT_LEGACY_TIME_ZONE, localDateTime, requireTimeZone } from './legacy-time';

export const LEGACY_PROJECTION_NAME = 'legacy.tracershop';

/**
 * The projection's own connection writes with the old server's lenient `sql_mode` (legacy-tables.md,
 * "SQL mode"): text the latin1 columns cannot hold becomes `?` and over-long text is cut, instead of
 * stopping the projection; zero dates are accepted. The engine sets it for each batch and restores
 * it before the checkpoint moves, so the pooled connection goes back as it came.
 */
const LEGACY_SQL_MODE = 'NO_ENGINE_SUBSTITUTION';

type AnyEvent = CatalogEvent | IdentityEvent | OrderingEvent | LegacyIdBlockEvent | BusinessCalendarEvent;

export const legacyEventTypes = [
  'IsotopeRegistered',
  'IsotopeUpdated',
  'TracerRegistered',
  'TracerUpdated',
  'TracerIsotopeChanged',
  'TracerArchived',
  'TracerRestored',
  'CustomerRegistered',
  'CustomerUpdated',
  'CustomerArchived',
  'CustomerRestored',
  'DeliveryEndpointRegistered',
  'DeliveryEndpointArchived',
  'DeliveryEndpointRestored',
  'ProductionRunScheduled',
  'ProductionRunUpdated',
  'ProductionRunArchived',
  'ProductionRunRestored',
  'DeliveryTimeSlotScheduled',
  'DeliveryTimeSlotUpdated',
  'DeliveryTimeSlotArchived',
  'DeliveryTimeSlotRestored',
  'TracerPermissionGranted',
  'TracerPermissionRevoked',
  'DateClosed',
  'DateReopened',
  'UserRegistered',
  'UserDetailsChanged',
  'RoleGranted',
  'RoleRevoked',
  'UserDeactivated',
  'OrderPlaced',
  'OrderAccepted',
  'OrderRejected',
  'OrderCancelled',
  'OrderReinstated',
  'OrderActivityChanged',
  'InjectionOrderChanged',
  'OrderMovedToSlot',
  'OrderRestoredToSlot',
  'GhostOrderCreated',
  'GhostOrderDissolved',
  'ActivityReleased',
  'InjectionOrdersReleased',
  'ReleasedOrderCorrected',
  'VialDispensed',
  'VialCorrected',
  'VialVoided',
  'VialRestored',
  'LegacyIdBlockReserved',
  'BusinessDateBegan',
] as const satisfies readonly AnyEvent['type'][];

export type LegacyEventType = (typeof legacyEventTypes)[number];
type EventOf<T extends LegacyEventType> = Extract<AnyEvent, { type: T }>;

const schemaVersions: Readonly<Record<string, number>> = {
  ...catalogEventSchemaVersions,
  ...identityEventSchemaVersions,
  ...orderingEventSchemaVersions,
  ...legacyEventSchemaVersions,
  ...businessCalendarEventSchemaVersions,
};

// The projection's own state, one JSON document per entity in `legacy_state`.

type Lifecycle = 'active' | 'archived';

interface IsotopeEntity {
  legacyId: number;
  name: string;
  halfLifeSeconds: number;
}

interface TracerEntity {
  legacyId: number;
  kind: TracerKind;
  isotopeId: string;
  shortName: string;
  clinicalName: string;
  inUse: boolean;
  legacy: TracerLegacyAttributes | null;
  status: Lifecycle;
}

interface CustomerEntity {
  legacyId: number;
  shortName: string;
  longName: string;
  dispenserNumber: number;
  overheadPercent: number;
  contactPerson: string | null;
  emails: string[];
  phone: string | null;
  billingAddress: string | null;
  billingCity: string | null;
  legacy: CustomerLegacyAttributes | null;
  /** Archived in Tracershop: no longer a customer in the old system either (absent: registered). */
  archived?: boolean;
  /**
   * Its delivery endpoints, first registered first. The old system knows one endpoint per customer:
   * the `orders` rows of all of them on a date are made together (one row per BID, time and run).
   */
  endpointIds?: string[];
}

interface EndpointEntity {
  customerId: string;
  /** Archived in Tracershop: its slots are no longer offered in `deliverTimes` (absent: registered). */
  archived?: boolean;
}

type RunEntity = Omit<ProductionRunScheduledData, 'productionRunId'> & { status: Lifecycle };
type SlotEntity = Omit<DeliveryTimeSlotScheduledData, 'slotId'> & {
  status: Lifecycle;
  /**
   * Its expiry date had come (it delivers on dates strictly before it) by the last event that
   * looked at it: no longer offered in `deliverTimes` (absent: not expired).
   */
  expired?: boolean;
};

/** The latest business date the projection knows has begun (`BusinessDateBegan`). */
interface BusinessDateEntity {
  date: string;
}

interface PermissionEntity {
  legacyId: number;
  endpointId: string;
  tracerId: string;
  granted: boolean;
}

interface ClosedDateEntity {
  legacyId: number;
  closed: boolean;
}

interface UserEntity {
  legacyUserId: number | null;
  username: string;
  printedName: string;
  emails: string[];
  roles: Role[];
  active: boolean;
}

/** A voided vial has no `VAL` row: the old system must not label or release it. */
type VialEntity = Vial & { voided?: boolean };

/** The even ids Tracershop reserved for a legacy table, first to last block (its rows, and gaps). */
interface IdRangeEntity {
  firstId: number;
  lastId: number;
}

/**
 * A delivery day is stored as its head (the day without its orders) and a `dayOrder` row per order
 * (parent: the day), so an event writes the orders it changed instead of the whole day. A head
 * written before orders had rows of their own still holds them in `orders`; it is read as it is and
 * split at the day's next event.
 */
type DayHeadEntity = Omit<LegacyDayState, 'orders'> & { orders?: Record<string, DayOrder> };

interface EntityKinds {
  isotope: IsotopeEntity;
  tracer: TracerEntity;
  customer: CustomerEntity;
  endpoint: EndpointEntity;
  run: RunEntity;
  slot: SlotEntity;
  permission: PermissionEntity;
  closedDate: ClosedDateEntity;
  user: UserEntity;
  vial: VialEntity;
  deliveryDay: DayHeadEntity;
  dayOrder: DayOrder;
  idRange: IdRangeEntity;
  businessDate: BusinessDateEntity;
}
type EntityKind = keyof EntityKinds;

interface Applied {
  tx: ProjectionTransaction;
  event: RecordedEvent;
  /** Local time of the event (`YYYY-MM-DD HH:MM:SS`). */
  at: string;
}

/**
 * The batch's view of `legacy_state`: entities read or written in this batch transaction (null:
 * known not to exist), and the writes not sent yet (one per entity, the newest state). The batch
 * is one transaction, so nobody else sees the table between events; the writes go out as one
 * statement at the end of the batch, or before a query that reads the table by another key.
 */
interface BatchState {
  /** The stored JSON text of each entity, or null. */
  entities: Map<string, string | null>;
  unsaved: Map<string, { kind: EntityKind; id: string; parentId: string | null; json: string }>;
  /** Entities whose state this batch has sent to the table (a later state of one must replace it). */
  sent: Set<string>;
  /** An id with trailing spaces was saved: the collation takes it as equal to the same id without. */
  paddedIds: boolean;
  /** Delivery days read or written in this batch (null: none yet). */
  days: Map<string, BatchDay | null>;
}

/**
 * A delivery day as this batch holds it: the state (shared between the batch's events: the day's
 * fold never changes an object, it makes new ones), the stored text of its head, and its rows.
 */
interface BatchDay {
  state: LegacyDayState;
  headText: string;
  /** The orders as stored: an order of `state` that is not this very object is written. */
  storedOrders: Readonly<Record<string, DayOrder>>;
  rows: LegacyRow[];
}

const batches = new WeakMap<ProjectionTransaction, BatchState>();
const entityKey = (kind: EntityKind, id: string) => `${kind}\u0000${id}`;
/** Rows per multi-row write of `legacy_state`. */
const SAVE_CHUNK_ROWS = 500;

function batchOf(tx: ProjectionTransaction): BatchState {
  let batch = batches.get(tx);
  if (!batch) {
    batch = { entities: new Map(), unsaved: new Map(), sent: new Set(), paddedIds: false, days: new Map() };
    batches.set(tx, batch);
  }
  return batch;
}

/**
 * Writes the batch's unsaved states (one statement per chunk); `deferred` at the batch's end, where
 * nothing reads after it. Where the tables started empty, a state the batch has not sent before is
 * new to the table and goes as a bulk insert; the others replace what the batch sent.
 */
async function flushStates(tx: ProjectionTransaction, deferred = false): Promise<void> {
  const batch = batches.get(tx);
  if (!batch || batch.unsaved.size === 0) return;
  const unsaved = [...batch.unsaved.entries()];
  batch.unsaved.clear();
  // Ids the table's collation takes as equal (trailing spaces) must meet as the upsert makes them.
  if (unsaved.some(([, row]) => row.id.endsWith(' '))) batch.paddedIds = true;
  const bulk = tx.startedEmpty && !batch.paddedIds;
  const fresh = bulk ? unsaved.filter(([key]) => !batch.sent.has(key)) : [];
  const rows = bulk
    ? unsaved.filter(([key]) => batch.sent.has(key)).map(([, row]) => row)
    : unsaved.map(([, row]) => row);
  for (const [key] of unsaved) batch.sent.add(key);
  await tx.insertRows(
    LEGACY_STATE_TABLE,
    ['kind', 'id', 'parent_id', 'state'],
    fresh.map(([, row]) => [row.kind, row.id, row.parentId, row.json]),
    { deferred },
  );
  for (let start = 0; start < rows.length; start += SAVE_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + SAVE_CHUNK_ROWS);
    // VALUES() in ON DUPLICATE KEY UPDATE is deprecated in MySQL 8.0.20+ but is the one form MariaDB also accepts.
    await (deferred ? tx.deferWrite.bind(tx) : tx.query.bind(tx))(
      `INSERT INTO ${tx.table(LEGACY_STATE_TABLE)} (kind, id, parent_id, state) VALUES
       ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}
       ON DUPLICATE KEY UPDATE parent_id = VALUES(parent_id), state = VALUES(state)`,
      chunk.flatMap((row) => [row.kind, row.id, row.parentId, row.json]),
    );
  }
}

type EntityRef = readonly [EntityKind, string];

/** Rows per preloading SELECT of `legacy_state`. */
const LOAD_CHUNK_ROWS = 500;
/** How far references are followed from the entities the events name (slot → run → tracer → isotope). */
const PRELOAD_ROUNDS = 4;

/**
 * Reads the entities with these keys that the batch does not know yet, one statement per chunk,
 * and returns those found. A key the table holds under a spelling the comparison takes as equal
 * (trailing spaces) is left to `load`, which reads it as it always did.
 */
async function loadStates(tx: ProjectionTransaction, refs: readonly EntityRef[]): Promise<[EntityKind, string][]> {
  const batch = batchOf(tx);
  const wanted = new Map<string, EntityRef>();
  for (const ref of refs) {
    const key = entityKey(...ref);
    if (!batch.entities.has(key)) wanted.set(key, ref);
  }
  const found: [EntityKind, string][] = [];
  const refList = [...wanted.values()];
  if (tx.startedEmpty) {
    // Before the batch's first event, tables that started empty hold nothing at all.
    for (const key of wanted.keys()) batch.entities.set(key, null);
    return found;
  }
  for (let start = 0; start < refList.length; start += LOAD_CHUNK_ROWS) {
    const chunk = refList.slice(start, start + LOAD_CHUNK_ROWS);
    const idsByKind = new Map<EntityKind, string[]>();
    for (const [kind, id] of chunk) {
      const ids = idsByKind.get(kind);
      if (ids) ids.push(id);
      else idsByKind.set(kind, [id]);
    }
    const rows = await tx.query<{ kind: EntityKind; id: string; state: string }[]>(
      `SELECT kind, id, state FROM ${tx.table(LEGACY_STATE_TABLE)} WHERE ${[...idsByKind.values()]
        .map((ids) => `(kind = ? AND id IN (${ids.map(() => '?').join(', ')}))`)
        .join(' OR ')}`,
      [...idsByKind.entries()].flatMap(([kind, ids]) => [kind, ...ids]),
    );
    const unpadded = new Set<string>();
    for (const row of rows) {
      batch.entities.set(entityKey(row.kind, row.id), row.state);
      unpadded.add(entityKey(row.kind, row.id.replace(/ +$/, '')));
      found.push([row.kind, row.state]);
    }
    for (const [kind, id] of chunk) {
      const key = entityKey(kind, id);
      if (!batch.entities.has(key) && !unpadded.has(entityKey(kind, id.replace(/ +$/, '')))) {
        batch.entities.set(key, null);
      }
    }
  }
  return found;
}

/** The entities a stored entity leads its handlers to load next. */
function referencedBy(kind: EntityKind, text: string): EntityRef[] {
  return referencesOf(kind, text).filter(([, id]) => typeof id === 'string');
}

function referencesOf(kind: EntityKind, text: string): EntityRef[] {
  switch (kind) {
    case 'tracer':
      return [['isotope', (JSON.parse(text) as TracerEntity).isotopeId]];
    case 'run':
      return [['tracer', (JSON.parse(text) as RunEntity).tracerId]];
    case 'endpoint':
      return [['customer', (JSON.parse(text) as EndpointEntity).customerId]];
    case 'slot': {
      const slot = JSON.parse(text) as SlotEntity;
      return [
        ['run', slot.productionRunId],
        ['endpoint', slot.endpointId],
      ];
    }
    default:
      return [];
  }
}

/**
 * Before a batch's first event: reads the entities its events name, and those they lead to, with
 * one statement per chunk of keys, so that `load` rarely reads a single entity. An optimisation
 * only: what it misses, `load` reads.
 */
async function preloadStates(events: readonly RecordedEvent[], tx: ProjectionTransaction): Promise<void> {
  const named = events.flatMap(entitiesNamedBy);
  await preloadDays(
    tx,
    named.filter(([kind]) => kind === 'deliveryDay').map(([, id]) => id),
  );
  let refs = named.filter(([kind]) => kind !== 'deliveryDay');
  for (let round = 0; round < PRELOAD_ROUNDS && refs.length > 0; round += 1) {
    refs = (await loadStates(tx, refs)).flatMap(([kind, text]) => referencedBy(kind, text));
  }
}

async function load<K extends EntityKind>(applied: Applied, kind: K, id: string): Promise<EntityKinds[K] | null> {
  const batch = batchOf(applied.tx);
  const key = entityKey(kind, id);
  let text = batch.entities.get(key);
  if (text === undefined) {
    const rows = await applied.tx.query<{ state: string }[]>(
      `SELECT state FROM ${applied.tx.table(LEGACY_STATE_TABLE)} WHERE kind = ? AND id = ?`,
      [kind, id],
    );
    text = rows[0]?.state ?? null;
    batch.entities.set(key, text);
  }
  // Parsed for each load, as from the table: handlers never share objects between events.
  return text === null ? null : (JSON.parse(text) as EntityKinds[K]);
}

async function need<K extends EntityKind>(applied: Applied, kind: K, id: string): Promise<EntityKinds[K]> {
  const state = await load(applied, kind, id);
  if (!state) {
    throw new Error(
      `${applied.event.type} at ${applied.event.position}: ${LEGACY_PROJECTION_NAME} knows no ${kind} ${id}`,
    );
  }
  return state;
}

/** Keeps the entity's new state for the batch; it is written with the batch's other states. */
function save<K extends EntityKind>(
  applied: Applied,
  kind: K,
  id: string,
  state: EntityKinds[K],
  parentId: string | null = null,
): Promise<void> {
  saveText(applied.tx, kind, id, JSON.stringify(state), parentId);
  return Promise.resolve();
}

function saveText(tx: ProjectionTransaction, kind: EntityKind, id: string, json: string, parentId: string | null) {
  const batch = batchOf(tx);
  const key = entityKey(kind, id);
  batch.entities.set(key, json);
  batch.unsaved.delete(key);
  batch.unsaved.set(key, { kind, id, parentId, json });
}

async function childrenOf<K extends EntityKind>(
  applied: Applied,
  kind: K,
  parentId: string,
): Promise<{ id: string; state: EntityKinds[K] }[]> {
  await flushStates(applied.tx);
  const rows = await applied.tx.query<{ id: string; state: string }[]>(
    `SELECT id, state FROM ${applied.tx.table(LEGACY_STATE_TABLE)} WHERE kind = ? AND parent_id = ? ORDER BY id`,
    [kind, parentId],
  );
  return rows.map((row) => ({ id: row.id, state: JSON.parse(row.state) as EntityKinds[K] }));
}

function applyChanges<T extends object>(state: T, changes: object): T {
  const next = { ...state } as Record<string, unknown>;
  for (const [field, change] of Object.entries(changes) as [string, { to: unknown } | undefined][]) {
    if (change) next[field] = change.to;
  }
  return next as T;
}

/** A legacy id the event must carry; older events without one cannot be projected. */
function legacyIdOf(applied: Applied, value: unknown, field = 'legacyId'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`${applied.event.type} at ${applied.event.position} carries no ${field}`);
  }
  return value;
}

// Rows

const orNull = <T>(value: T | null | undefined): T | null => value ?? null;
const INT_MAX = 2_147_483_647;
const repeatCodes: Readonly<Record<WeeklyRepeat, number>> = { every: 1, even: 2, odd: 3 };
/** Legacy `Roles.Id`: 1 Manager, 6 Produktion, 7 Statistik; 4 Kunde is the customers'. */
const legacyRoleOf: Readonly<Partial<Record<Role, number>>> = { admin: 1, production: 6, releaser: 6, auditor: 7 };
export const CUSTOMER_ROLE = 4;

/** `Users.tlf` is an INT: the phone's digits, a Danish +45/0045 prefix dropped; NULL when they do not fit. */
export function legacyPhone(phone: string | null): number | null {
  if (!phone) return null;
  const digits = phone.replace(/^\s*(\+|00)45/, '').replace(/\D/g, '');
  if (digits.length === 0) return null;
  const value = Number(digits);
  return value <= INT_MAX ? value : null;
}

const emailColumns = (emails: readonly string[]) => ({
  EMail: orNull(emails[0]),
  EMail2: orNull(emails[1]),
  EMail3: orNull(emails[2]),
  EMail4: orNull(emails[3]),
});

function isotopeRows(isotope: IsotopeEntity | null): LegacyRow[] {
  if (!isotope) return [];
  return [
    {
      table: 'isotopes',
      key: { id: isotope.legacyId },
      values: { name: isotope.name, halflife: Math.round(isotope.halfLifeSeconds) },
    },
  ];
}

function tracerRows(tracer: TracerEntity | null, isotope: IsotopeEntity | null): LegacyRow[] {
  if (!tracer) return [];
  return [
    {
      table: 'Tracers',
      key: { id: tracer.legacyId },
      values: {
        name: tracer.shortName,
        isotope: isotope?.legacyId ?? null,
        // An archived tracer is no longer offered; the customer app shows only in_use = 1.
        in_use: tracer.inUse && tracer.status === 'active' ? 1 : 0,
        n_injections: tracer.legacy?.injections ?? -1,
        order_block: tracer.legacy?.orderBlock ?? null,
        tracer_type: tracer.kind === 'activity' ? 1 : 2,
        longName: tracer.clinicalName,
      },
    },
  ];
}

function customerRows(customer: CustomerEntity | null): LegacyRow[] {
  if (!customer) return [];
  return [
    {
      table: 'Users',
      key: { Id: customer.legacyId },
      values: {
        Username: customer.shortName,
        Realname: customer.longName,
        ...emailColumns(customer.emails),
        overhead: customer.overheadPercent,
        kundenr: customer.dispenserNumber,
        tlf: legacyPhone(customer.phone),
        contact: customer.contactPerson,
        addr1: customer.billingAddress,
        addr2: customer.billingCity,
        addr3: customer.legacy?.addressLine3 ?? null,
        addr4: customer.legacy?.addressLine4 ?? null,
        shortname: customer.legacy?.labelName ?? customer.shortName,
        title: customer.legacy?.title ?? null,
      },
    },
    // Without the customer role the old system no longer takes the archived customer's orders
    // (U2); its Users row stays, as its orders name it.
    ...(customer.archived
      ? []
      : [{ table: 'UserRoles' as const, key: { Id_User: customer.legacyId, Id_Role: CUSTOMER_ROLE }, values: {} }]),
  ];
}

function staffRows(user: UserEntity | null): LegacyRow[] {
  if (!user || user.legacyUserId === null) return [];
  const id = user.legacyUserId;
  const roles = user.active
    ? [...new Set(user.roles.map((role) => legacyRoleOf[role]).filter((role) => role !== undefined))].sort()
    : [];
  return [
    {
      table: 'Users',
      key: { Id: id },
      values: {
        Username: user.username,
        Realname: user.printedName,
        ...emailColumns(user.emails),
        overhead: null,
        kundenr: null,
        tlf: null,
        contact: null,
        addr1: null,
        addr2: null,
        addr3: null,
        addr4: null,
        shortname: null,
        title: null,
      },
    },
    ...roles.map((role): LegacyRow => ({ table: 'UserRoles', key: { Id_User: id, Id_Role: role }, values: {} })),
  ];
}

const isFdg = (tracer: TracerEntity | null) => tracer?.legacyId === FDG_LEGACY_TRACER_ID;
const maxColumn = (max: number | null) => (max === null ? null : Math.round(max));

function runRows(run: RunEntity | null, tracer: TracerEntity | null): LegacyRow[] {
  if (!run || run.status !== 'active' || !isFdg(tracer)) return [];
  return [
    {
      table: 'productionTimes',
      key: { PTID: run.legacyId },
      values: {
        day: run.weekday,
        ptime: clockTime(run.productionTime),
        run: run.runNumber,
        max: maxColumn(run.maxActivityMBq),
      },
    },
  ];
}

/**
 * A slot the old system may order in: active, not expired, at an active endpoint. A retired slot
 * leaves `deliverTimes`, so the old system no longer takes orders Tracershop refuses; restored, or
 * its expiry date moved on, it is back.
 */
function slotRows(
  slot: SlotEntity | null,
  run: RunEntity | null,
  tracer: TracerEntity | null,
  customer: CustomerEntity | null,
  endpoint: EndpointEntity | null,
): LegacyRow[] {
  if (!slot || slot.status !== 'active' || slot.expired || endpoint?.archived || !run || !isFdg(tracer)) return [];
  return [
    {
      table: 'deliverTimes',
      key: { DTID: slot.legacyId },
      values: {
        BID: customer?.legacyId ?? null,
        day: slot.weekday,
        repeat_t: repeatCodes[slot.repeat],
        dtime: clockTime(slot.deliveryTime),
        max: maxColumn(slot.maxActivityMBq),
        run: run.runNumber,
      },
    },
  ];
}

function permissionRows(
  permission: PermissionEntity | null,
  tracer: TracerEntity | null,
  customer: CustomerEntity | null,
): LegacyRow[] {
  if (!permission?.granted || tracer?.kind !== 'injection') return [];
  return [permissionRow(permission.legacyId, tracer.legacyId, customer?.legacyId ?? null)];
}

function closedDateRows(date: string, closed: ClosedDateEntity | null): LegacyRow[] {
  if (!closed?.closed) return [];
  return [closedDateRow(closed.legacyId, date)];
}

const closedDateRow = (BDID: number, ddate: string): LegacyRow => ({
  table: 'blockDeliverDate',
  key: { BDID },
  values: { ddate },
});

const permissionRow = (ID: number, tracerId: number, customerId: number | null): LegacyRow => ({
  table: 'TracerCustomer',
  key: { ID },
  values: { tracer_id: tracerId, customer_id: customerId },
});

function vialRows(vial: VialEntity | null): LegacyRow[] {
  if (!vial || vial.voided === true) return [];
  return [
    {
      table: 'VAL',
      key: { ID: vial.legacyValId },
      values: {
        customer: String(vial.dispenserNumber),
        charge: vial.lot,
        depotpos: vial.depotPosition,
        filldate: vial.fillDate,
        filltime: vial.fillTime,
        volume: vial.volumeMl,
        gros: vial.grossG,
        tare: vial.tareG,
        net: vial.netG,
        product: vial.product,
        activity: vial.activityMBq,
      },
    },
  ];
}

/** The `orders` and `t_orders` rows of a customer's delivery days of one date (a day per endpoint). */
function dayRows(...states: LegacyDayState[]): LegacyRow[] {
  if (states.length === 0) return [];
  const { orders, tOrders } = deriveCustomerDayRows(states);
  const rows = (table: 't_orders' | 'orders', byOid: Map<number, { OID: number }>): LegacyRow[] =>
    [...byOid.values()].map(({ OID, ...values }) => ({ table, key: { OID }, values }));
  return [...rows('orders', orders), ...rows('t_orders', tOrders)];
}

// Lookups shared by the handlers.

async function customerOfEndpoint(applied: Applied, endpointId: string): Promise<CustomerEntity | null> {
  const endpoint = await load(applied, 'endpoint', endpointId);
  return endpoint ? load(applied, 'customer', endpoint.customerId) : null;
}

async function slotContext(applied: Applied, slot: SlotEntity) {
  const run = await load(applied, 'run', slot.productionRunId);
  const tracer = run ? await load(applied, 'tracer', run.tracerId) : null;
  const endpoint = await load(applied, 'endpoint', slot.endpointId);
  const customer = endpoint ? await load(applied, 'customer', endpoint.customerId) : null;
  return { run, tracer, customer, endpoint };
}

/**
 * Today as far as the projection can tell without a clock: the local date of the event it applies,
 * or the latest business date the worker recorded as begun, whichever is later.
 */
async function todayOf(applied: Applied): Promise<string> {
  const own = applied.at.slice(0, 10);
  const begun = (await load(applied, 'businessDate', LATEST_BUSINESS_DATE))?.date;
  return begun !== undefined && begun > own ? begun : own;
}

const LATEST_BUSINESS_DATE = 'latest';

/** Whether the slot's expiry date has come by `today` (it delivers on dates strictly before it). */
const expiredBy = (slot: SlotEntity, today: string) => slot.expiryDate !== null && slot.expiryDate <= today;

/** Slots the projection knows, as this batch holds them, that match. */
async function slotsWhere(
  applied: Applied,
  matches: (slot: SlotEntity) => boolean,
): Promise<{ id: string; state: SlotEntity }[]> {
  await flushStates(applied.tx);
  const ids = await applied.tx.query<{ id: string }[]>(
    `SELECT id FROM ${applied.tx.table(LEGACY_STATE_TABLE)} WHERE kind = 'slot' ORDER BY id`,
  );
  const found: { id: string; state: SlotEntity }[] = [];
  for (const { id } of ids) {
    const state = await load(applied, 'slot', id);
    if (state && matches(state)) found.push({ id, state });
  }
  return found;
}

/**
 * The rows of a legacy table that match, as the table holds them now (this batch's writes so far
 * included), with the values the projection would write for them: rows the old system wrote beside
 * the projection's own (a date it closed again, a permission it granted again).
 */
async function rowsInTable(
  applied: Applied,
  table: 'blockDeliverDate' | 'TracerCustomer',
  where: string,
  params: unknown[],
  rowOf: (id: number) => LegacyRow,
): Promise<LegacyRow[]> {
  await flushRows(applied.tx);
  const key = quotedColumn(primaryKeyOf(table)[0] ?? '');
  const found = await applied.tx.query<Record<string, unknown>[]>(
    `SELECT ${key} AS id FROM ${applied.tx.table(table)} WHERE ${where} ORDER BY ${key}`,
    params,
  );
  return found.map((row) => rowOf(Number(row.id)));
}

/** Rows of both lists, each key once (the first list's row where both have it). */
function unionByKey(first: readonly LegacyRow[], second: readonly LegacyRow[]): LegacyRow[] {
  const keyOf = (row: LegacyRow) => `${row.table}|${JSON.stringify(row.key)}`;
  const seen = new Set(first.map(keyOf));
  return [...first, ...second.filter((row) => !seen.has(keyOf(row)))];
}

const sync = (applied: Applied, before: LegacyRow[], after: LegacyRow[], carriedOver: AdoptedRow | null = null) =>
  syncRows(applied.tx, before, after, applied.at, carriedOver ?? adoptedRowOf(applied.event));

/**
 * The row a registration carries over from the old system: its legacy id is one Tracershop never
 * allocates (outside its reserved even ids), so the client named the old system's own row (FDG is
 * `Tracers.id` 6 there already, and the go-live import does not bring tracers or isotopes). The
 * insert takes that row over instead of stopping at its key; the legacy id claims keep two records
 * from naming one row. An id Tracershop allocated that meets a row still fails loudly.
 */
async function carriedOverRow(applied: Applied, table: LegacyIdTable, legacyId: number): Promise<AdoptedRow | null> {
  const range = await load(applied, 'idRange', table);
  return range && isReservedLegacyId(legacyId, range) ? null : { table, key: String(legacyId) };
}

/** The old system's row an event was made from, when the legacy sync captured it (`source`). */
function adoptedRowOf(event: RecordedEvent): AdoptedRow | null {
  const source = event.metadata.source;
  return source?.system === OLD_SYSTEM_SOURCE ? { table: source.table, key: source.primaryKey } : null;
}

// Handlers

async function changeTracer(applied: Applied, tracerId: string, change: (tracer: TracerEntity) => TracerEntity) {
  const tracer = await need(applied, 'tracer', tracerId);
  const next = change(tracer);
  const before = tracerRows(tracer, await load(applied, 'isotope', tracer.isotopeId));
  const after = tracerRows(next, await load(applied, 'isotope', next.isotopeId));
  await save(applied, 'tracer', tracerId, next);
  await sync(applied, before, after);
}

async function changeRun(applied: Applied, runId: string, change: (run: RunEntity) => RunEntity) {
  const run = await need(applied, 'run', runId);
  const next = change(run);
  const tracer = await load(applied, 'tracer', run.tracerId);
  const before = runRows(run, tracer);
  const after = runRows(next, tracer);
  // A slot's `run` column is its run's number.
  const slots = await childrenOf(applied, 'slot', runId);
  for (const { state: slot } of slots) {
    const endpoint = await load(applied, 'endpoint', slot.endpointId);
    const customer = endpoint ? await load(applied, 'customer', endpoint.customerId) : null;
    before.push(...slotRows(slot, run, tracer, customer, endpoint));
    after.push(...slotRows(slot, next, tracer, customer, endpoint));
  }
  await save(applied, 'run', runId, next);
  await sync(applied, before, after);
  if (next.runNumber !== run.runNumber) {
    await followInComingDays(applied, slots, { runNumber: next.runNumber });
  }
}

/**
 * A renumbered run's or a rescheduled slot's `deliverTimes` rows change; the `orders` rows of the
 * days to come in those slots follow (invariants O2, O3), so the old system's `InsertOrder` finds
 * them by the run and time it now reads. Days before the event's own date, and released slots, keep
 * their history.
 */
async function followInComingDays(
  applied: Applied,
  slots: { id: string; state: SlotEntity }[],
  schedule: SlotSchedule,
) {
  const slotIds = new Set(slots.map((slot) => slot.id));
  const from = applied.at.slice(0, 10);
  for (const endpointId of new Set(slots.map((slot) => slot.state.endpointId))) {
    // Days created earlier in this batch must be in the table for the range to find them.
    await flushStates(applied.tx);
    const days = await applied.tx.query<{ id: string }[]>(
      `SELECT id FROM ${applied.tx.table(LEGACY_STATE_TABLE)}
        WHERE kind = 'deliveryDay' AND id BETWEEN ? AND ? ORDER BY id`,
      [deliveryDayId(endpointId, from), deliveryDayId(endpointId, LAST_DATE)],
    );
    for (const { id: dayId } of days) {
      const day = await loadDay(applied.tx, dayId);
      if (!day) continue;
      const next = followSlotSchedule(day.state, slotIds, schedule);
      if (next === day.state) continue;
      await syncDay(applied, dayId, day, next);
    }
  }
}

/** The last date a delivery day's id can name. */
const LAST_DATE = '9999-12-31';

async function changeSlot(applied: Applied, slotId: string, change: (slot: SlotEntity) => SlotEntity) {
  const slot = await need(applied, 'slot', slotId);
  const changed = change(slot);
  const next = { ...changed, expired: expiredBy(changed, await todayOf(applied)) };
  const { run, tracer, customer, endpoint } = await slotContext(applied, slot);
  await save(applied, 'slot', slotId, next, next.productionRunId);
  await sync(applied, slotRows(slot, run, tracer, customer, endpoint), slotRows(next, run, tracer, customer, endpoint));
  if (next.deliveryTime !== slot.deliveryTime) {
    await followInComingDays(applied, [{ id: slotId, state: next }], { deliveryTime: next.deliveryTime });
  }
}

/** An endpoint archived or restored: its slots leave `deliverTimes` or come back. */
async function changeEndpoint(
  applied: Applied,
  endpointId: string,
  change: (endpoint: EndpointEntity) => EndpointEntity,
) {
  const endpoint = await need(applied, 'endpoint', endpointId);
  const next = change(endpoint);
  const before: LegacyRow[] = [];
  const after: LegacyRow[] = [];
  for (const { state: slot } of await slotsWhere(applied, (slot) => slot.endpointId === endpointId)) {
    const { run, tracer, customer } = await slotContext(applied, slot);
    before.push(...slotRows(slot, run, tracer, customer, endpoint));
    after.push(...slotRows(slot, run, tracer, customer, next));
  }
  await save(applied, 'endpoint', endpointId, next);
  await sync(applied, before, after);
}

/** The `blockDeliverDate` rows of a date, whoever wrote them. */
const rowsOfClosedDate = (applied: Applied, date: string) =>
  rowsInTable(applied, 'blockDeliverDate', 'ddate = ?', [date], (BDID) => closedDateRow(BDID, date));

async function changeCustomer(
  applied: Applied,
  customerId: string,
  change: (customer: CustomerEntity) => CustomerEntity,
) {
  const customer = await need(applied, 'customer', customerId);
  const next = change(customer);
  await save(applied, 'customer', customerId, next);
  // A restored customer's role row may still be there under an id of the old system's, which a
  // rebuild does not delete: taken over, as at registration.
  await sync(
    applied,
    customerRows(customer),
    customerRows(next),
    await carriedOverRow(applied, 'Users', next.legacyId),
  );
}

async function changePermission(
  applied: Applied,
  endpointId: string,
  tracerId: string,
  change: (permission: PermissionEntity | null) => PermissionEntity,
) {
  const id = tracerPermissionId(endpointId, tracerId);
  const permission = await load(applied, 'permission', id);
  const next = change(permission);
  const tracer = await load(applied, 'tracer', tracerId);
  const customer = await customerOfEndpoint(applied, endpointId);
  // Rows of the pair the old system wrote beside this permission's (it granted the tracer again)
  // leave too: one row per permission, and a revoke leaves none that lets the customer order.
  // Rows other permissions of the pair hold (the customer's other endpoints) stay.
  const others =
    tracer?.kind === 'injection' && customer
      ? await rowsInTable(
          applied,
          'TracerCustomer',
          'tracer_id = ? AND customer_id = ?',
          [tracer.legacyId, customer.legacyId],
          (ID) => permissionRow(ID, tracer.legacyId, customer.legacyId),
        )
      : [];
  const held = await legacyIdsOfOtherGrants(applied, id, tracerId);
  await save(applied, 'permission', id, next);
  // A grant inserts the row; a permission carried over from the old system takes its row over.
  const carriedOver = permission === null ? await carriedOverRow(applied, 'TracerCustomer', next.legacyId) : null;
  await sync(
    applied,
    unionByKey(
      permissionRows(permission, tracer, customer),
      others.filter((row) => !held.has(row.key.ID as number)),
    ),
    permissionRows(next, tracer, customer),
    carriedOver,
  );
}

/** The `TracerCustomer.ID`s the tracer's other granted permissions hold (the pair's id joins endpoint and tracer). */
async function legacyIdsOfOtherGrants(applied: Applied, permissionId: string, tracerId: string): Promise<Set<number>> {
  await flushStates(applied.tx);
  const ids = await applied.tx.query<{ id: string }[]>(
    `SELECT id FROM ${applied.tx.table(LEGACY_STATE_TABLE)} WHERE kind = 'permission' AND id LIKE ?`,
    [`%:${encodeURIComponent(tracerId).replace(/[\\%_]/g, (c) => `\\${c}`)}`],
  );
  const held = new Set<number>();
  for (const { id } of ids) {
    if (id === permissionId) continue;
    const other = await load(applied, 'permission', id);
    if (other?.granted && other.tracerId === tracerId) held.add(other.legacyId);
  }
  return held;
}

async function changeUser(applied: Applied, userId: string, change: (user: UserEntity) => UserEntity) {
  const user = await load(applied, 'user', userId);
  // Users registered before this projection knew them: nothing to change.
  if (!user) return;
  const next = change(user);
  await save(applied, 'user', userId, next);
  await sync(applied, staffRows(user), staffRows(next));
}

async function changeVial(applied: Applied, vialId: string, change: (vial: VialEntity | null) => VialEntity) {
  const vial = await load(applied, 'vial', vialId);
  const next = change(vial);
  await save(applied, 'vial', vialId, next);
  await sync(applied, vialRows(vial), vialRows(next));
}

const DAY_STREAM_PREFIX = 'ordering.deliveryDay-';

/** Legacy ids the event leaves out, from the catalogue; and the names and times the rows need. */
async function dayFacts(applied: Applied, event: DeliveryDayEvent): Promise<DayFacts> {
  const facts: DayFacts = { at: applied.at };
  const source = applied.event.metadata.source;
  if (source?.system === OLD_SYSTEM_SOURCE && source.operation === 'delete') {
    facts.deletedLegacyRow = `${source.table}:${source.primaryKey}`;
  }
  const parties = async (
    customerId: string,
    customerLegacyId: number | null,
    tracerId: string,
    tracerLegacyId: number | null,
  ) => {
    facts.customerLegacyId = customerLegacyId ?? (await load(applied, 'customer', customerId))?.legacyId ?? null;
    facts.tracerLegacyId = tracerLegacyId ?? (await load(applied, 'tracer', tracerId))?.legacyId ?? null;
  };
  const releaser = async (releasedBy: { userId: string; legacyUserId: number | null }) => {
    facts.releasedBy =
      releasedBy.legacyUserId ?? (await load(applied, 'user', releasedBy.userId))?.legacyUserId ?? null;
  };
  switch (event.type) {
    case 'OrderPlaced': {
      const { order } = event.data;
      await parties(order.customerId, order.customerLegacyId, order.tracerId, order.tracerLegacyId);
      const visible = order.kind === 'injection' || facts.tracerLegacyId === FDG_LEGACY_TRACER_ID;
      if (visible && (facts.customerLegacyId === null || facts.tracerLegacyId === null)) {
        throw new Error(
          `OrderPlaced ${order.orderId} at ${applied.event.position}: no legacy id for customer ${order.customerId} ` +
            `or tracer ${order.tracerId}; its legacy row would have no BID or tracer`,
        );
      }
      break;
    }
    case 'GhostOrderCreated': {
      const ghost = event.data;
      await parties(ghost.customerId, ghost.customerLegacyId, ghost.tracerId, ghost.tracerLegacyId);
      facts.actorUsername = (await load(applied, 'user', applied.event.metadata.actor.id))?.username ?? null;
      break;
    }
    case 'ActivityReleased':
    case 'InjectionOrdersReleased':
      await releaser(event.data.releasedBy);
      break;
    default:
      break;
  }
  return facts;
}

async function applyDayEvent(applied: Applied, event: DeliveryDayEvent): Promise<void> {
  const { streamId } = applied.event;
  if (!streamId.startsWith(DAY_STREAM_PREFIX)) {
    throw new Error(`${event.type} at ${applied.event.position} is not on a delivery day stream: ${streamId}`);
  }
  const dayId = streamId.slice(DAY_STREAM_PREFIX.length);
  const day = await loadDay(applied.tx, dayId);
  let state = day?.state;
  if (!state) {
    if (event.type !== 'OrderPlaced') {
      throw new Error(`${event.type} at ${applied.event.position}: delivery day ${dayId} has no OrderPlaced before it`);
    }
    state = newDayState(event.data.endpointId, event.data.date);
  }
  const next = evolveDay(state, event, await dayFacts(applied, event));
  await syncDay(applied, dayId, day, next, capturedOrderRow(applied.event));
}

/**
 * The `orders` or `t_orders` row the old system inserted that an event was made from (its captured
 * insert, named by the event's `source`).
 */
function capturedOrderRow(event: RecordedEvent): LegacyRow | null {
  const source = event.metadata.source;
  if (source?.system !== OLD_SYSTEM_SOURCE || source.operation !== 'insert') return null;
  if (source.table !== 'orders' && source.table !== 't_orders') return null;
  const OID = Number(source.primaryKey);
  return Number.isInteger(OID) ? { table: source.table, key: { OID }, values: {} } : null;
}

/**
 * Keeps a delivery day's new state and writes the difference in the rows the old system reads.
 * The days of a customer's endpoints on one date make their rows together (`deriveCustomerDayRows`:
 * one row per BID, time and run). A row the old system inserted itself that the event's order did
 * not get (it joined a row that was there before it: the old system inserted while the projection
 * was behind) leaves, as if `InsertOrder` had found that row: the slot keeps one row (O1).
 */
async function syncDay(
  applied: Applied,
  dayId: string,
  day: BatchDay | null,
  next: LegacyDayState,
  captured: LegacyRow | null = null,
): Promise<void> {
  // The customer's days of the date, in the order of its endpoints, without and with this change.
  const before: LegacyDayState[] = [];
  const after: LegacyDayState[] = [];
  for (const id of await dayGroupOf(applied, dayId, next)) {
    const state = id === dayId ? day?.state : (await loadDay(applied.tx, id))?.state;
    if (state) before.push(state);
    if (id === dayId) after.push(next);
    else if (state) after.push(state);
  }
  const own = dayRows(next);
  saveDay(applied.tx, dayId, day, next, own);
  const alone = after.length === 1;
  const beforeRows = alone ? (day?.rows ?? []) : dayRows(...before);
  const afterRows = alone ? own : dayRows(...after);
  const holds = (rows: LegacyRow[], row: LegacyRow) =>
    rows.some((other) => other.table === row.table && other.key.OID === row.key.OID);
  const left = captured && !holds(afterRows, captured) && !holds(beforeRows, captured) ? [captured] : [];
  await sync(applied, [...beforeRows, ...left], afterRows);
}

/**
 * The delivery days of a day's customer on its date, first endpoint first: the old system knows one
 * endpoint per customer, so their rows are made together. Just the day itself where the customer
 * has one endpoint (or the projection does not know the customer).
 */
async function dayGroupOf(applied: Applied, dayId: string, day: LegacyDayState): Promise<string[]> {
  const customer = await customerOfEndpoint(applied, day.endpointId);
  const group = (customer?.endpointIds ?? []).map((endpointId) => deliveryDayId(endpointId, day.date));
  return group.length > 1 && group.includes(dayId) ? group : [dayId];
}

// Delivery days in `legacy_state`: a head and a row per order.

const dayOrderId = (dayId: string, orderId: string) => `${dayId}/${orderId}`;
/** The stored text of a day's head: the day without its orders. */
const dayHeadText = (state: LegacyDayState) => JSON.stringify({ ...state, orders: undefined });

/** A day from its stored head and order rows; orders a head still holds are not stored as rows yet. */
function storedDay(headText: string, orderTexts: readonly string[]): BatchDay {
  const { orders: inlined, ...head } = JSON.parse(headText) as DayHeadEntity;
  const storedOrders: Record<string, DayOrder> = {};
  for (const text of orderTexts) {
    const order = JSON.parse(text) as DayOrder;
    storedOrders[order.orderId] = order;
  }
  // In placement order, as the day's fold adds them.
  const orders = Object.fromEntries(
    Object.values({ ...inlined, ...storedOrders })
      .sort((a, b) => a.seq - b.seq)
      .map((order) => [order.orderId, order]),
  );
  const state: LegacyDayState = { ...head, orders };
  return { state, headText, storedOrders, rows: dayRows(state) };
}

/** Rows per preloading SELECT of delivery days. */
const LOAD_CHUNK_DAYS = 100;

/** Before a batch's first event: reads the batch's delivery days, heads and orders, one statement per chunk. */
async function preloadDays(tx: ProjectionTransaction, dayIds: readonly string[]): Promise<void> {
  const batch = batchOf(tx);
  const wanted = [...new Set(dayIds)].filter((dayId) => !batch.days.has(dayId));
  if (tx.startedEmpty) {
    for (const dayId of wanted) batch.days.set(dayId, null);
    return;
  }
  for (let start = 0; start < wanted.length; start += LOAD_CHUNK_DAYS) {
    const chunk = wanted.slice(start, start + LOAD_CHUNK_DAYS);
    const marks = chunk.map(() => '?').join(', ');
    const rows = await tx.query<{ kind: EntityKind; id: string; parentId: string | null; state: string }[]>(
      `SELECT kind, id, parent_id AS parentId, state FROM ${tx.table(LEGACY_STATE_TABLE)}
        WHERE kind = 'deliveryDay' AND id IN (${marks})
       UNION ALL
       SELECT kind, id, parent_id AS parentId, state FROM ${tx.table(LEGACY_STATE_TABLE)}
        WHERE kind = 'dayOrder' AND parent_id IN (${marks})`,
      [...chunk, ...chunk],
    );
    const heads = new Map<string, string>();
    const orders = new Map<string, string[]>();
    for (const row of rows) {
      if (row.kind === 'deliveryDay') heads.set(row.id, row.state);
      else if (row.parentId !== null) orders.set(row.parentId, [...(orders.get(row.parentId) ?? []), row.state]);
    }
    const unpadded = new Set([...heads.keys()].map((id) => id.replace(/ +$/, '')));
    for (const dayId of chunk) {
      const head = heads.get(dayId);
      if (head !== undefined) batch.days.set(dayId, storedDay(head, orders.get(dayId) ?? []));
      // A head stored under a spelling the comparison takes as equal (trailing spaces) is left to `loadDay`.
      else if (!unpadded.has(dayId.replace(/ +$/, ''))) batch.days.set(dayId, null);
    }
  }
}

async function loadDay(tx: ProjectionTransaction, dayId: string): Promise<BatchDay | null> {
  const batch = batchOf(tx);
  const known = batch.days.get(dayId);
  if (known !== undefined) return known;
  // The day's orders are written only by `saveDay`, which keeps the day in the batch: none are unsaved.
  const rows = await tx.query<{ kind: EntityKind; state: string }[]>(
    `SELECT kind, state FROM ${tx.table(LEGACY_STATE_TABLE)} WHERE kind = 'deliveryDay' AND id = ?
     UNION ALL
     SELECT kind, state FROM ${tx.table(LEGACY_STATE_TABLE)} WHERE kind = 'dayOrder' AND parent_id = ?`,
    [dayId, dayId],
  );
  const head = rows.find((row) => row.kind === 'deliveryDay');
  const day = head
    ? storedDay(
        head.state,
        rows.filter((row) => row.kind === 'dayOrder').map((row) => row.state),
      )
    : null;
  batch.days.set(dayId, day);
  return day;
}

/** Keeps the day for the batch and writes its head if it changed and the orders the event changed. */
function saveDay(
  tx: ProjectionTransaction,
  dayId: string,
  day: BatchDay | null,
  next: LegacyDayState,
  rows: LegacyRow[],
): void {
  const headText = dayHeadText(next);
  if (headText !== day?.headText) saveText(tx, 'deliveryDay', dayId, headText, null);
  const stored = day?.storedOrders ?? {};
  for (const [orderId, order] of Object.entries(next.orders)) {
    if (stored[orderId] !== order) saveText(tx, 'dayOrder', dayOrderId(dayId, orderId), JSON.stringify(order), dayId);
  }
  for (const orderId of Object.keys(stored)) {
    if (!(orderId in next.orders)) throw new Error(`Delivery day ${dayId}: order ${orderId} left the day`);
  }
  batchOf(tx).days.set(dayId, { state: next, headText, storedOrders: next.orders, rows });
}

type Handlers = { [T in LegacyEventType]: (data: EventOf<T>['data'], applied: Applied) => Promise<void> };

const dayHandler =
  <T extends LegacyEventType>(type: T) =>
  (data: EventOf<T>['data'], applied: Applied) =>
    applyDayEvent(applied, { type, data } as DeliveryDayEvent);

const handlers: Handlers = {
  async IsotopeRegistered({ isotopeId, name, halfLifeSeconds, legacyId }, applied) {
    const isotope: IsotopeEntity = { legacyId: legacyIdOf(applied, legacyId), name, halfLifeSeconds };
    await save(applied, 'isotope', isotopeId, isotope);
    await sync(applied, [], isotopeRows(isotope), await carriedOverRow(applied, 'isotopes', isotope.legacyId));
  },
  async IsotopeUpdated({ isotopeId, changes }, applied) {
    const isotope = await need(applied, 'isotope', isotopeId);
    const next = applyChanges(isotope, changes);
    await save(applied, 'isotope', isotopeId, next);
    await sync(applied, isotopeRows(isotope), isotopeRows(next));
  },

  async TracerRegistered(data, applied) {
    const tracer: TracerEntity = {
      legacyId: legacyIdOf(applied, data.legacyId),
      kind: data.kind,
      isotopeId: data.isotopeId,
      shortName: data.shortName,
      clinicalName: data.clinicalName,
      inUse: data.inUse,
      legacy: data.legacy ?? null,
      status: 'active',
    };
    await save(applied, 'tracer', data.tracerId, tracer);
    await sync(
      applied,
      [],
      tracerRows(tracer, await load(applied, 'isotope', tracer.isotopeId)),
      await carriedOverRow(applied, 'Tracers', tracer.legacyId),
    );
  },
  TracerUpdated: ({ tracerId, changes }, applied) =>
    changeTracer(applied, tracerId, (tracer) => applyChanges(tracer, changes)),
  TracerIsotopeChanged: ({ tracerId, to }, applied) =>
    changeTracer(applied, tracerId, (tracer) => ({ ...tracer, isotopeId: to })),
  TracerArchived: ({ tracerId }, applied) =>
    changeTracer(applied, tracerId, (tracer) => ({ ...tracer, status: 'archived' })),
  TracerRestored: ({ tracerId }, applied) =>
    changeTracer(applied, tracerId, (tracer) => ({ ...tracer, status: 'active' })),

  async CustomerRegistered(data, applied) {
    const customer: CustomerEntity = {
      legacyId: legacyIdOf(applied, data.legacyId),
      shortName: data.shortName,
      longName: data.longName,
      dispenserNumber: data.dispenserNumber,
      overheadPercent: data.overheadPercent,
      contactPerson: data.contactPerson ?? null,
      emails: data.emails ?? [],
      phone: data.phone ?? null,
      billingAddress: data.billingAddress ?? null,
      billingCity: data.billingCity ?? null,
      legacy: data.legacy ?? null,
    };
    await save(applied, 'customer', data.customerId, customer);
    await sync(applied, [], customerRows(customer), await carriedOverRow(applied, 'Users', customer.legacyId));
  },
  CustomerUpdated: ({ customerId, changes }, applied) =>
    changeCustomer(applied, customerId, (customer) => applyChanges(customer, changes)),
  CustomerArchived: ({ customerId }, applied) =>
    changeCustomer(applied, customerId, (customer) => ({ ...customer, archived: true })),
  CustomerRestored: ({ customerId }, applied) =>
    changeCustomer(applied, customerId, (customer) => ({ ...customer, archived: false })),

  async DeliveryEndpointRegistered({ endpointId, customerId }, applied) {
    await save(applied, 'endpoint', endpointId, { customerId });
    const customer = await load(applied, 'customer', customerId);
    if (customer && !customer.endpointIds?.includes(endpointId)) {
      await save(applied, 'customer', customerId, {
        ...customer,
        endpointIds: [...(customer.endpointIds ?? []), endpointId],
      });
    }
  },
  DeliveryEndpointArchived: ({ endpointId }, applied) =>
    changeEndpoint(applied, endpointId, (endpoint) => ({ ...endpoint, archived: true })),
  DeliveryEndpointRestored: ({ endpointId }, applied) =>
    changeEndpoint(applied, endpointId, (endpoint) => ({ ...endpoint, archived: false })),

  async ProductionRunScheduled({ productionRunId, ...data }, applied) {
    const run: RunEntity = { ...data, legacyId: legacyIdOf(applied, data.legacyId), status: 'active' };
    await save(applied, 'run', productionRunId, run);
    await sync(
      applied,
      [],
      runRows(run, await load(applied, 'tracer', run.tracerId)),
      await carriedOverRow(applied, 'productionTimes', run.legacyId),
    );
  },
  ProductionRunUpdated: ({ productionRunId, changes }, applied) =>
    changeRun(applied, productionRunId, (run) => applyChanges(run, changes)),
  ProductionRunArchived: ({ productionRunId }, applied) =>
    changeRun(applied, productionRunId, (run) => ({ ...run, status: 'archived' })),
  ProductionRunRestored: ({ productionRunId }, applied) =>
    changeRun(applied, productionRunId, (run) => ({ ...run, status: 'active' })),

  async DeliveryTimeSlotScheduled({ slotId, ...data }, applied) {
    const scheduled: SlotEntity = { ...data, legacyId: legacyIdOf(applied, data.legacyId), status: 'active' };
    const slot = { ...scheduled, expired: expiredBy(scheduled, await todayOf(applied)) };
    await save(applied, 'slot', slotId, slot, slot.productionRunId);
    const { run, tracer, customer, endpoint } = await slotContext(applied, slot);
    await sync(
      applied,
      [],
      slotRows(slot, run, tracer, customer, endpoint),
      await carriedOverRow(applied, 'deliverTimes', slot.legacyId),
    );
  },
  DeliveryTimeSlotUpdated: ({ slotId, changes }, applied) =>
    changeSlot(applied, slotId, (slot) => applyChanges(slot, changes)),
  DeliveryTimeSlotArchived: ({ slotId }, applied) =>
    changeSlot(applied, slotId, (slot) => ({ ...slot, status: 'archived' })),
  DeliveryTimeSlotRestored: ({ slotId }, applied) =>
    changeSlot(applied, slotId, (slot) => ({ ...slot, status: 'active' })),

  TracerPermissionGranted: ({ endpointId, tracerId, legacyId }, applied) =>
    changePermission(applied, endpointId, tracerId, () => ({
      legacyId: legacyIdOf(applied, legacyId),
      endpointId,
      tracerId,
      granted: true,
    })),
  TracerPermissionRevoked: ({ endpointId, tracerId }, applied) =>
    changePermission(applied, endpointId, tracerId, (permission) => {
      if (!permission) throw new Error(`TracerPermissionRevoked at ${applied.event.position}: never granted`);
      return { ...permission, granted: false };
    }),

  // One row per closed date: rows of the date the old system wrote beside the date's own (it closed
  // the date again) leave, and a reopening leaves none, as the old system's `DELETE … WHERE ddate`.
  async DateClosed({ date, legacyId }, applied) {
    const closed = await load(applied, 'closedDate', date);
    const next: ClosedDateEntity = { legacyId: legacyIdOf(applied, legacyId), closed: true };
    const others = await rowsOfClosedDate(applied, date);
    await save(applied, 'closedDate', date, next);
    await sync(
      applied,
      unionByKey(closedDateRows(date, closed), others),
      closedDateRows(date, next),
      await carriedOverRow(applied, 'blockDeliverDate', next.legacyId),
    );
  },
  async DateReopened({ date }, applied) {
    const closed = await load(applied, 'closedDate', date);
    if (!closed) return;
    const next: ClosedDateEntity = { ...closed, closed: false };
    const others = await rowsOfClosedDate(applied, date);
    await save(applied, 'closedDate', date, next);
    await sync(applied, unionByKey(closedDateRows(date, closed), others), closedDateRows(date, next));
  },

  async UserRegistered(data, applied) {
    const user: UserEntity = {
      // Users without a legacy id (none should exist) get no Users row; they still name ghosts.
      legacyUserId: typeof data.legacyUserId === 'number' ? data.legacyUserId : null,
      username: data.username,
      printedName: data.printedName,
      emails: data.emails ?? [],
      roles: [],
      active: true,
    };
    await save(applied, 'user', data.userId, user);
    await sync(applied, [], staffRows(user));
  },
  UserDetailsChanged: ({ userId, changes }, applied) =>
    changeUser(applied, userId, (user) => applyChanges(user, changes)),
  RoleGranted: ({ userId, role }, applied) =>
    changeUser(applied, userId, (user) => ({ ...user, roles: [...new Set([...user.roles, role])] })),
  RoleRevoked: ({ userId, role }, applied) =>
    changeUser(applied, userId, (user) => ({ ...user, roles: user.roles.filter((held) => held !== role) })),
  UserDeactivated: ({ userId }, applied) => changeUser(applied, userId, (user) => ({ ...user, active: false })),

  OrderPlaced: dayHandler('OrderPlaced'),
  OrderAccepted: dayHandler('OrderAccepted'),
  OrderRejected: dayHandler('OrderRejected'),
  OrderCancelled: dayHandler('OrderCancelled'),
  OrderReinstated: dayHandler('OrderReinstated'),
  OrderActivityChanged: dayHandler('OrderActivityChanged'),
  InjectionOrderChanged: dayHandler('InjectionOrderChanged'),
  OrderMovedToSlot: dayHandler('OrderMovedToSlot'),
  OrderRestoredToSlot: dayHandler('OrderRestoredToSlot'),
  GhostOrderCreated: dayHandler('GhostOrderCreated'),
  GhostOrderDissolved: dayHandler('GhostOrderDissolved'),
  ActivityReleased: dayHandler('ActivityReleased'),
  InjectionOrdersReleased: dayHandler('InjectionOrdersReleased'),
  ReleasedOrderCorrected: dayHandler('ReleasedOrderCorrected'),

  VialDispensed: (vial, applied) =>
    changeVial(applied, vial.vialId, (existing) => {
      if (existing) throw new Error(`VialDispensed at ${applied.event.position}: vial ${vial.vialId} exists`);
      return { ...vial, legacyValId: legacyIdOf(applied, vial.legacyValId, 'legacyValId') };
    }),
  VialCorrected: ({ vialId, changes }, applied) =>
    changeVial(applied, vialId, (vial) => {
      if (!vial) throw new Error(`VialCorrected at ${applied.event.position}: no vial ${vialId}`);
      return applyChanges(vial, changes);
    }),
  VialVoided: ({ vialId }, applied) =>
    changeVial(applied, vialId, (vial) => {
      if (!vial) throw new Error(`VialVoided at ${applied.event.position}: no vial ${vialId}`);
      return { ...vial, voided: true };
    }),
  VialRestored: ({ vialId }, applied) =>
    changeVial(applied, vialId, (vial) => {
      if (!vial) throw new Error(`VialRestored at ${applied.event.position}: no vial ${vialId}`);
      return { ...vial, voided: false };
    }),

  // Time passes: a slot whose expiry date has come is no longer offered (the projection has no clock).
  async BusinessDateBegan({ date }, applied) {
    const latest = await load(applied, 'businessDate', LATEST_BUSINESS_DATE);
    if (latest && latest.date >= date) return;
    await save(applied, 'businessDate', LATEST_BUSINESS_DATE, { date });
    for (const { id } of await slotsWhere(applied, (slot) => !slot.expired && expiredBy(slot, date))) {
      await changeSlot(applied, id, (slot) => slot);
    }
  },

  // Which ids are Tracershop's: a rebuild's merge replaces those rows only (`mergeShadow`).
  async LegacyIdBlockReserved({ table, firstId, lastId }, applied) {
    const range = await load(applied, 'idRange', table);
    await save(applied, 'idRange', table, {
      firstId: Math.min(range?.firstId ?? firstId, firstId),
      lastId: Math.max(range?.lastId ?? lastId, lastId),
    });
  },
};

function isLegacyEventType(type: string): type is LegacyEventType {
  return Object.hasOwn(handlers, type);
}

type NamedEntities = {
  [T in LegacyEventType]?: (data: EventOf<T>['data'], event: RecordedEvent) => EntityRef[];
};

const tracerRef = ({ tracerId }: { tracerId: string }): EntityRef[] => [['tracer', tracerId]];
const runRef = ({ productionRunId }: { productionRunId: string }): EntityRef[] => [['run', productionRunId]];
const slotRef = ({ slotId }: { slotId: string }): EntityRef[] => [['slot', slotId]];
const userRef = ({ userId }: { userId: string }): EntityRef[] => [['user', userId]];
const vialRef = ({ vialId }: { vialId: string }): EntityRef[] => [['vial', vialId]];
const permissionRefs = ({ endpointId, tracerId }: { endpointId: string; tracerId: string }): EntityRef[] => [
  ['permission', tracerPermissionId(endpointId, tracerId)],
  ['tracer', tracerId],
  ['endpoint', endpointId],
];
const partiesRefs = (parties: {
  customerId: string;
  customerLegacyId: number | null;
  tracerId: string;
  tracerLegacyId: number | null;
}): EntityRef[] => [
  ...((parties.customerLegacyId ?? null) === null ? [['customer', parties.customerId] as const] : []),
  ...((parties.tracerLegacyId ?? null) === null ? [['tracer', parties.tracerId] as const] : []),
];
const releaserRefs = ({ releasedBy }: { releasedBy: { userId: string; legacyUserId: number | null } }): EntityRef[] =>
  (releasedBy.legacyUserId ?? null) === null ? [['user', releasedBy.userId]] : [];

/** What each handler loads by the event's own data (a delivery day's events load their day too). */
const namedEntities: NamedEntities = {
  IsotopeUpdated: ({ isotopeId }) => [['isotope', isotopeId]],
  TracerRegistered: ({ isotopeId }) => [['isotope', isotopeId]],
  TracerUpdated: tracerRef,
  TracerIsotopeChanged: ({ tracerId, to }) => [
    ['tracer', tracerId],
    ['isotope', to],
  ],
  TracerArchived: tracerRef,
  TracerRestored: tracerRef,
  CustomerUpdated: ({ customerId }) => [['customer', customerId]],
  CustomerArchived: ({ customerId }) => [['customer', customerId]],
  CustomerRestored: ({ customerId }) => [['customer', customerId]],
  ProductionRunScheduled: tracerRef,
  ProductionRunUpdated: runRef,
  ProductionRunArchived: runRef,
  ProductionRunRestored: runRef,
  DeliveryTimeSlotScheduled: ({ productionRunId, endpointId }) => [
    ['run', productionRunId],
    ['endpoint', endpointId],
  ],
  DeliveryTimeSlotUpdated: slotRef,
  DeliveryTimeSlotArchived: slotRef,
  DeliveryTimeSlotRestored: slotRef,
  TracerPermissionGranted: permissionRefs,
  TracerPermissionRevoked: permissionRefs,
  DeliveryEndpointRegistered: ({ customerId }) => [['customer', customerId]],
  DeliveryEndpointArchived: ({ endpointId }) => [['endpoint', endpointId]],
  DeliveryEndpointRestored: ({ endpointId }) => [['endpoint', endpointId]],
  DateClosed: ({ date }) => [['closedDate', date]],
  DateReopened: ({ date }) => [['closedDate', date]],
  UserDetailsChanged: userRef,
  RoleGranted: userRef,
  RoleRevoked: userRef,
  UserDeactivated: userRef,
  OrderPlaced: ({ order }) => partiesRefs(order),
  GhostOrderCreated: (ghost, event) => [...partiesRefs(ghost), ['user', event.metadata.actor.id]],
  ActivityReleased: releaserRefs,
  InjectionOrdersReleased: releaserRefs,
  VialDispensed: vialRef,
  VialCorrected: vialRef,
  VialVoided: vialRef,
  VialRestored: vialRef,
  LegacyIdBlockReserved: ({ table }) => [['idRange', table]],
  BusinessDateBegan: () => [['businessDate', LATEST_BUSINESS_DATE]],
};

function entitiesNamedBy(event: RecordedEvent): EntityRef[] {
  const { type, streamId } = event;
  if (!isLegacyEventType(type) || event.metadata.schemaVersion !== schemaVersions[type]) return [];
  const named = namedEntities[type] as ((data: unknown, event: RecordedEvent) => EntityRef[]) | undefined;
  let refs: EntityRef[] = [];
  try {
    refs = named ? named(event.data, event) : [];
  } catch {
    // Data the handler cannot read either: it reports that at its own event, not the batch's first.
  }
  if (streamId.startsWith(DAY_STREAM_PREFIX)) {
    const dayId = streamId.slice(DAY_STREAM_PREFIX.length);
    refs.push(['deliveryDay', dayId]);
    // Its endpoint's customer names the days its rows are made with (`dayGroupOf`).
    const endpointId = dayId.slice(0, dayId.lastIndexOf(':'));
    try {
      refs.push(['endpoint', decodeURIComponent(endpointId)]);
    } catch {
      // Not an id this projection made: the handler reports what it cannot read.
    }
  }
  if (streamId.startsWith('catalog.deliveryTimeSlot-')) refs.push(['businessDate', LATEST_BUSINESS_DATE]);
  return refs.filter(([, id]) => typeof id === 'string');
}

// Rebuild: the old system's tables are shared with it, so the swap merges the rebuilt rows into them.

/** Where the capture triggers keep the old system's changes (migrations/record, legacy capture). */
const LEGACY_CAPTURE_TABLE = 'legacy_capture';

export const primaryKeyOf = (table: LegacyContractTable): string[] =>
  (/PRIMARY KEY \(([^)]*)\)/.exec(legacyTableDefinitions[table]('t'))?.[1] ?? '')
    .split(',')
    .map((column) => column.trim());

/**
 * Which live rows are Tracershop's by their id alone: even ids in the range its blocks reserved
 * (the old system allocates odd ones, and its older rows lie below the first block). A user's roles
 * go with the user.
 */
export const idRangeOf: Readonly<Record<LegacyContractTable, { column: string; range: LegacyIdTable } | null>> =
  Object.fromEntries(
    legacyContractTables.map((table) => {
      if (table === 'UserRoles') return [table, { column: 'Id_User', range: 'Users' }];
      const idTable = legacyIdTables.find((candidate) => candidate === table);
      const key = primaryKeyOf(table);
      return [table, idTable && key.length === 1 ? { column: key[0], range: idTable } : null];
    }),
  ) as Record<LegacyContractTable, { column: string; range: LegacyIdTable } | null>;

const quotedColumn = (column: string) => `\`${column}\``;

/**
 * The swap of a rebuild, in the transaction that promotes it: the rebuilt rows replace the
 * projection's rows in the old system's live tables, and everything else there stays: the old
 * system's own rows (older data, and its inserts, also those made while the rebuild ran) and the
 * columns it owns in Tracershop's rows (`legacyColumnsNotOwned`). Tracershop's rows the rebuilt
 * version no longer has (ids of its reserved range) are deleted; a row with an id the events name
 * explicitly (e.g. FDG's `Tracers.id` 6) cannot be told from the old system's, so one the rebuilt
 * version no longer has stays. The live tables keep their AUTO_INCREMENT counters.
 */
async function mergeShadow(merge: ShadowMerge): Promise<void> {
  // The capture table sits beside the live tables (the record database's migrations make both).
  const stateTable = merge.live(LEGACY_STATE_TABLE);
  const database = stateTable.slice(0, stateTable.lastIndexOf('.'));
  const captureTable = `${database}.\`${LEGACY_CAPTURE_TABLE}\``;
  const captureKept =
    (
      await merge.query<unknown[]>(
        'SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
        [database.replace(/^`|`$/g, '').replace(/``/g, '`'), LEGACY_CAPTURE_TABLE],
      )
    ).length > 0;
  const ranges = new Map<string, IdRangeEntity>(
    (
      await merge.query<{ id: string; state: string }[]>(
        `SELECT id, state FROM ${merge.live(LEGACY_STATE_TABLE)} WHERE kind = 'idRange'`,
      )
    ).map((row) => [row.id, JSON.parse(row.state) as IdRangeEntity]),
  );
  for (const table of merge.tables as LegacyContractTable[]) {
    const live = merge.live(table);
    const shadow = merge.shadow(table);
    const key = primaryKeyOf(table);
    const sameKey = (left: string, right: string) =>
      key.map((column) => `${left}.${quotedColumn(column)} = ${right}.${quotedColumn(column)}`).join(' AND ');
    const idRange = idRangeOf[table];
    const range = idRange ? ranges.get(idRange.range) : undefined;
    if (idRange && range) {
      const id = `${live}.${quotedColumn(idRange.column)}`;
      // A row the capture saw the old system insert is the old system's, even id or not: its
      // connections allocate odd ids only when the server is set up so (legacy-id-block.ts).
      const rowKey =
        key.length === 1
          ? `${live}.${quotedColumn(key[0])}`
          : `CONCAT_WS(':', ${key.map((column) => `${live}.${quotedColumn(column)}`).join(', ')})`;
      const oldSystemsOwn = captureKept
        ? ` AND NOT EXISTS (SELECT 1 FROM ${captureTable} AS c
              WHERE c.table_name = ? AND c.operation = 'insert' AND c.row_key = ${rowKey})`
        : '';
      await merge.query(
        `DELETE FROM ${live} WHERE ${id} % 2 = 0 AND ${id} BETWEEN ? AND ?
            AND NOT EXISTS (SELECT 1 FROM ${shadow} AS s WHERE ${sameKey('s', live)})${oldSystemsOwn}`,
        [range.firstId, range.lastId, ...(captureKept ? [table] : [])],
      );
    }
    if (table === 'UserRoles') {
      // An archived customer has no customer role, also under an id of the old system's (carried
      // over), which the range above does not cover.
      const customers = await merge.query<{ state: string }[]>(
        `SELECT state FROM ${merge.live(LEGACY_STATE_TABLE)} WHERE kind = 'customer'`,
      );
      const archived = customers
        .map((row) => JSON.parse(row.state) as CustomerEntity)
        .filter((customer) => customer.archived === true)
        .map((customer) => customer.legacyId);
      if (archived.length > 0) {
        await merge.query(
          `DELETE FROM ${live} WHERE Id_Role = ? AND Id_User IN (${archived.map(() => '?').join(', ')})`,
          [CUSTOMER_ROLE, ...archived],
        );
      }
    }
    const notOwned = legacyColumnsNotOwned[table] ?? [];
    const columns = legacyColumns[table].filter((column) => !notOwned.includes(column));
    const updated = columns.filter((column) => !key.includes(column));
    const assignments = (updated.length > 0 ? updated : [key[0]])
      // Qualified: the SELECT joins the live table, so a bare name would be ambiguous (MySQL).
      .map((column) => `${live}.${quotedColumn(column)} = VALUES(${quotedColumn(column)})`)
      .join(', ');
    const list = columns.map(quotedColumn).join(', ');
    // Only rows that are new or differ are written: a rebuild that changes little locks little.
    // Compared as bytes: the latin1 collations take 'Anne' and 'ANNE ' for equal.
    const unchanged = updated.map(
      (column) => `CAST(l.${quotedColumn(column)} AS BINARY) <=> CAST(s.${quotedColumn(column)} AS BINARY)`,
    );
    const differs = unchanged.length > 0 ? ` OR NOT (${unchanged.join(' AND ')})` : '';
    // VALUES() in ON DUPLICATE KEY UPDATE is deprecated in MySQL 8.0.20+ but is the one form MariaDB also accepts.
    await merge.query(
      `INSERT INTO ${live} (${list})
       SELECT ${columns.map((column) => `s.${quotedColumn(column)}`).join(', ')}
         FROM ${shadow} AS s LEFT JOIN ${live} AS l ON ${sameKey('l', 's')}
        WHERE l.${quotedColumn(key[0])} IS NULL${differs}
       ON DUPLICATE KEY UPDATE ${assignments}`,
    );
  }
}

export interface LegacyProjectionOptions {
  /** IANA zone of the legacy tables' naive local times. Default Europe/Copenhagen. */
  timeZone?: string;
}

/**
 * The old system's tables (shared/domain/legacy-tables.md) in the record database, derived from the
 * catalogue, identity and ordering events. `Roles` and the `InsertOrder` procedure are not the
 * projection's: the migration creates them where missing, and a rebuild never touches them.
 */
export function createLegacyProjection(options: LegacyProjectionOptions = {}): Projection {
  const timeZone = requireTimeZone(options.timeZone ?? DEFAULT_LEGACY_TIME_ZONE);
  return {
    name: LEGACY_PROJECTION_NAME,
    // 2: amount_o is truncated from the whole amount the row stores (fractional MBq orders); a
    // withdrawn moved row keeps its host's COID and is not marked by the host's release.
    // 3: the coming rows of a slot follow its new delivery time; an archived customer has no
    // customer role row.
    // 4: one orders row per BID, time and run (a customer's endpoints together, a move within a
    // run merged into its host); a row's OID is an active order's; expired slots and slots of
    // archived endpoints leave deliverTimes; a ghost takes its slot's current time and run.
    // 5: a voided vial has no VAL row.
    version: 5,
    target: 'record',
    eventTypes: legacyEventTypes,
    streamPrefixes: ['catalog.', 'identity.', 'ordering.', 'legacy.'],
    upcasters: catalogUpcasters,
    tables: legacyTableDefinitions,
    async handle(event, tx) {
      const { type } = event;
      if (!isLegacyEventType(type)) throw new Error(`${LEGACY_PROJECTION_NAME} does not handle ${type}`);
      // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
      const schemaVersion = schemaVersions[type];
      if (event.metadata.schemaVersion !== schemaVersion) {
        throw new Error(
          `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
            `${LEGACY_PROJECTION_NAME} reads version ${schemaVersion}`,
        );
      }
      const at = localDateTime(event.metadata.occurredAt ?? event.metadata.recordedAt, timeZone);
      const handler = handlers[type] as (data: unknown, applied: Applied) => Promise<void>;
      await handler(event.data, { tx, event, at });
    },
    sqlMode: LEGACY_SQL_MODE,
    prepareBatch: preloadStates,
    async flushBatch(tx) {
      // The batch's last writes: deferred to go out with the checkpoint and the commit.
      await flushStates(tx, true);
      await flushRows(tx, true);
    },
    sharedTables: legacyContractTables,
    mergeShadow,
  };
}
