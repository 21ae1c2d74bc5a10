import type { RecordedEvent } from '@tracershop/event-store';
import {
  catalogEventSchemaVersions,
  catalogUpcasters,
  catalogEventTypes,
  tracerPermissionId,
  type CatalogEvent,
  type CustomerDetails,
  type DeliveryEndpointDetails,
  type DeliveryTimeSlotDetails,
  type FieldChanges,
  type IsotopeDetails,
  type NameClaimEvent,
  type ProductionRunDetails,
  type TracerDetails,
  type TracerPermissionDetails,
} from '@tracershop/domain/catalog';
import {
  BatchRows,
  businessTimeOf,
  uniqueKeysOf,
  type Projection,
  type ProjectionTransaction,
} from '@tracershop/projections/engine';
import { catalogTableDefinitions, catalogTables, weeklyCloseDaysScope, type CatalogTable } from './catalog-tables';

export const CATALOG_PROJECTION_NAME = 'record.catalog';

/** Name claims only guard uniqueness on the command side; the tables' unique keys mirror them. */
type CatalogRecordEvent = Exclude<CatalogEvent, NameClaimEvent>;
type CatalogRecordEventType = CatalogRecordEvent['type'];

const NAME_CLAIM_EVENT_TYPES: readonly string[] = ['NameClaimed', 'NameReleased'] satisfies NameClaimEvent['type'][];

export const catalogRecordEventTypes: readonly CatalogRecordEventType[] = catalogEventTypes.filter(
  (type): type is CatalogRecordEventType => !NAME_CLAIM_EVENT_TYPES.includes(type),
);

/** What every write needs to know about the event being applied. */
interface AppliedEvent {
  tx: ProjectionTransaction;
  type: string;
  streamId: string;
  position: string;
  revision: string;
  /** `occurredAt` (business time) as a UTC DATETIME literal. */
  at: string;
}

type SqlValues = Record<string, unknown>;

// Domain field → column. `-?` makes a new field of the domain a compile error here until it has a column.

interface FieldColumn {
  column: string;
  toSql?: (value: unknown) => unknown;
}
type FieldColumns<T> = { readonly [K in keyof T]-?: FieldColumn };

const column = (name: string): FieldColumn => ({ column: name });
/** Lists and objects are stored as JSON text; mysql2 would expand an array into a value list. */
const jsonColumn = (name: string): FieldColumn => ({
  column: name,
  toSql: (value) => (value === null || value === undefined ? null : JSON.stringify(value)),
});

const isotopeColumns: FieldColumns<IsotopeDetails> = {
  name: column('name'),
  atomicNumber: column('atomic_number'),
  atomicMass: column('atomic_mass'),
  halfLifeSeconds: column('half_life_seconds'),
  metastable: column('metastable'),
};

const tracerColumns: FieldColumns<TracerDetails> = {
  shortName: column('short_name'),
  clinicalName: column('clinical_name'),
  vialTag: column('vial_tag'),
  inUse: column('in_use'),
  legacy: jsonColumn('legacy'),
};

const customerColumns: FieldColumns<CustomerDetails> = {
  shortName: column('short_name'),
  longName: column('long_name'),
  dispenserNumber: column('dispenser_number'),
  overheadPercent: column('overhead_percent'),
  contactPerson: column('contact_person'),
  emails: jsonColumn('emails'),
  phone: column('phone'),
  billingAddress: column('billing_address'),
  billingCity: column('billing_city'),
  billingZip: column('billing_zip'),
  legacy: jsonColumn('legacy'),
};

const deliveryEndpointColumns: FieldColumns<DeliveryEndpointDetails> = {
  name: column('name'),
  address: column('address'),
  city: column('city'),
  zip: column('zip'),
  phone: column('phone'),
};

const productionRunColumns: FieldColumns<ProductionRunDetails> = {
  productionTime: column('production_time'),
  runNumber: column('run_number'),
  maxActivityMBq: column('max_activity_mbq'),
};

const deliveryTimeSlotColumns: FieldColumns<DeliveryTimeSlotDetails> = {
  deliveryTime: column('delivery_time'),
  // `repeat` is a reserved word in SQL.
  repeat: column('weekly_repeat'),
  maxActivityMBq: column('max_activity_mbq'),
  expiryDate: column('expiry_date'),
};

const tracerPermissionColumns: FieldColumns<TracerPermissionDetails> = {
  overheadPercent: column('overhead_percent'),
  maxInjections: column('max_injections'),
};

function detailValues<T extends object>(columns: FieldColumns<T>, details: T): SqlValues {
  const values: SqlValues = {};
  for (const field of Object.keys(columns) as (keyof T)[]) {
    const { column: name, toSql } = columns[field];
    const value = details[field] ?? null;
    values[name] = toSql ? toSql(value) : value;
  }
  return values;
}

/** The `to` side of each change, as `applyChanges` in the deciders' `evolve` takes it. */
function changedValues<T extends object>(columns: FieldColumns<T>, changes: FieldChanges<T>, type: string): SqlValues {
  const values: SqlValues = {};
  for (const [field, change] of Object.entries(changes) as [string, { to: unknown } | undefined][]) {
    if (!change) continue;
    const target = (columns as Record<string, FieldColumn | undefined>)[field];
    // A field this version cannot store would silently diverge from the aggregate; stop instead.
    if (!target) throw new Error(`${type} changes ${field}, which ${CATALOG_PROJECTION_NAME} has no column for`);
    const value = change.to ?? null;
    values[target.column] = target.toSql ? target.toSql(value) : value;
  }
  return values;
}

// Writes. Column names come from this file only; every value is a parameter. Rows change in the
// batch's memory (`BatchRows`) and reach the tables as a few multi-row statements per batch.

const { isotopes, tracers, customers, deliveryEndpoints, productionRuns, deliveryTimeSlots } = catalogTables;

const primaryKeys: Readonly<Record<CatalogTable, readonly string[]>> = {
  [isotopes]: ['id'],
  [tracers]: ['id'],
  [customers]: ['id'],
  [deliveryEndpoints]: ['id'],
  [productionRuns]: ['id'],
  [deliveryTimeSlots]: ['id'],
  [catalogTables.tracerPermissions]: ['endpoint_id', 'tracer_id'],
  [catalogTables.closedDates]: ['date'],
  [catalogTables.weeklyCloseDays]: ['scope'],
  [catalogTables.orderingDeadlines]: ['kind'],
};

const rows = new BatchRows(
  (Object.entries(primaryKeys) as [CatalogTable, readonly string[]][]).map(([table, key]) => ({
    table,
    key,
    uniqueKeys: uniqueKeysOf(catalogTableDefinitions[table]),
  })),
);

/**
 * The row as the creating event makes it. A second creation of the same key (a grant after a
 * revoke, a close after a reopen; `evolve` starts over too) replaces the fields and keeps where the
 * row began.
 */
async function create(applied: AppliedEvent, table: CatalogTable, values: SqlValues): Promise<void> {
  const latest = { updated_position: applied.position, updated_at: applied.at, revision: applied.revision };
  const existing = await rows.read(applied.tx, table, values);
  rows.write(
    applied.tx,
    table,
    existing
      ? { ...existing, ...values, ...latest }
      : { ...values, created_position: applied.position, created_at: applied.at, ...latest },
  );
}

/** Changes an existing row; like `evolve` on an absent aggregate, an unknown key changes nothing. */
async function update(applied: AppliedEvent, table: CatalogTable, key: SqlValues, values: SqlValues): Promise<void> {
  const existing = await rows.read(applied.tx, table, key);
  if (!existing) return;
  rows.write(applied.tx, table, {
    ...existing,
    ...values,
    updated_position: applied.position,
    updated_at: applied.at,
    revision: applied.revision,
  });
}

const active = { status: 'active', archived_reason: null };
const archived = (reason: string) => ({ status: 'archived', archived_reason: reason });

// Handlers: one per event type, each doing to its row what the decider's `evolve` does to the state.

type CatalogHandlers = {
  [T in CatalogRecordEventType]: (
    data: Extract<CatalogRecordEvent, { type: T }>['data'],
    applied: AppliedEvent,
  ) => Promise<void>;
};

const handlers: CatalogHandlers = {
  IsotopeRegistered: ({ isotopeId, legacyId, ...details }, applied) =>
    create(applied, isotopes, {
      id: isotopeId,
      ...detailValues(isotopeColumns, details),
      legacy_id: legacyId,
      ...active,
    }),
  IsotopeUpdated: ({ isotopeId, changes }, applied) =>
    update(applied, isotopes, { id: isotopeId }, changedValues(isotopeColumns, changes, applied.type)),
  IsotopeArchived: ({ isotopeId, reason }, applied) => update(applied, isotopes, { id: isotopeId }, archived(reason)),
  IsotopeRestored: ({ isotopeId }, applied) => update(applied, isotopes, { id: isotopeId }, active),

  TracerRegistered: ({ tracerId, isotopeId, kind, legacyId, ...details }, applied) =>
    create(applied, tracers, {
      id: tracerId,
      isotope_id: isotopeId,
      kind,
      ...detailValues(tracerColumns, details),
      legacy_id: legacyId,
      ...active,
    }),
  TracerUpdated: ({ tracerId, changes }, applied) =>
    update(applied, tracers, { id: tracerId }, changedValues(tracerColumns, changes, applied.type)),
  TracerIsotopeChanged: ({ tracerId, to }, applied) => update(applied, tracers, { id: tracerId }, { isotope_id: to }),
  TracerArchived: ({ tracerId, reason }, applied) => update(applied, tracers, { id: tracerId }, archived(reason)),
  TracerRestored: ({ tracerId }, applied) => update(applied, tracers, { id: tracerId }, active),

  CustomerRegistered: ({ customerId, legacyId, ...details }, applied) =>
    create(applied, customers, {
      id: customerId,
      ...detailValues(customerColumns, details),
      legacy_id: legacyId,
      ...active,
    }),
  CustomerUpdated: ({ customerId, changes }, applied) =>
    update(applied, customers, { id: customerId }, changedValues(customerColumns, changes, applied.type)),
  CustomerArchived: ({ customerId, reason }, applied) =>
    update(applied, customers, { id: customerId }, archived(reason)),
  CustomerRestored: ({ customerId }, applied) => update(applied, customers, { id: customerId }, active),

  DeliveryEndpointRegistered: ({ endpointId, customerId, ...details }, applied) =>
    create(applied, deliveryEndpoints, {
      id: endpointId,
      customer_id: customerId,
      ...detailValues(deliveryEndpointColumns, details),
      ...active,
    }),
  DeliveryEndpointUpdated: ({ endpointId, changes }, applied) =>
    update(
      applied,
      deliveryEndpoints,
      { id: endpointId },
      changedValues(deliveryEndpointColumns, changes, applied.type),
    ),
  DeliveryEndpointArchived: ({ endpointId, reason }, applied) =>
    update(applied, deliveryEndpoints, { id: endpointId }, archived(reason)),
  DeliveryEndpointRestored: ({ endpointId }, applied) => update(applied, deliveryEndpoints, { id: endpointId }, active),

  ProductionRunScheduled: ({ productionRunId, tracerId, weekday, legacyId, ...details }, applied) =>
    create(applied, productionRuns, {
      id: productionRunId,
      tracer_id: tracerId,
      weekday,
      ...detailValues(productionRunColumns, details),
      legacy_id: legacyId,
      ...active,
    }),
  ProductionRunUpdated: ({ productionRunId, changes }, applied) =>
    update(
      applied,
      productionRuns,
      { id: productionRunId },
      changedValues(productionRunColumns, changes, applied.type),
    ),
  ProductionRunArchived: ({ productionRunId, reason }, applied) =>
    update(applied, productionRuns, { id: productionRunId }, archived(reason)),
  ProductionRunRestored: ({ productionRunId }, applied) =>
    update(applied, productionRuns, { id: productionRunId }, active),

  DeliveryTimeSlotScheduled: ({ slotId, endpointId, productionRunId, weekday, legacyId, ...details }, applied) =>
    create(applied, deliveryTimeSlots, {
      id: slotId,
      endpoint_id: endpointId,
      production_run_id: productionRunId,
      weekday,
      ...detailValues(deliveryTimeSlotColumns, details),
      legacy_id: legacyId,
      ...active,
    }),
  DeliveryTimeSlotUpdated: ({ slotId, changes }, applied) =>
    update(applied, deliveryTimeSlots, { id: slotId }, changedValues(deliveryTimeSlotColumns, changes, applied.type)),
  DeliveryTimeSlotArchived: ({ slotId, reason }, applied) =>
    update(applied, deliveryTimeSlots, { id: slotId }, archived(reason)),
  DeliveryTimeSlotRestored: ({ slotId }, applied) => update(applied, deliveryTimeSlots, { id: slotId }, active),

  // A grant after a revoke starts the permission over with the grant's details, as `evolve` does.
  TracerPermissionGranted: ({ endpointId, tracerId, legacyId, ...details }, applied) =>
    create(applied, catalogTables.tracerPermissions, {
      endpoint_id: endpointId,
      tracer_id: tracerId,
      id: tracerPermissionId(endpointId, tracerId),
      ...detailValues(tracerPermissionColumns, details),
      legacy_id: legacyId,
      status: 'granted',
      revoked_reason: null,
    }),
  TracerPermissionUpdated: ({ endpointId, tracerId, changes }, applied) =>
    update(
      applied,
      catalogTables.tracerPermissions,
      { endpoint_id: endpointId, tracer_id: tracerId },
      changedValues(tracerPermissionColumns, changes, applied.type),
    ),
  TracerPermissionRevoked: ({ endpointId, tracerId, reason }, applied) =>
    update(
      applied,
      catalogTables.tracerPermissions,
      { endpoint_id: endpointId, tracer_id: tracerId },
      { status: 'revoked', revoked_reason: reason },
    ),

  DateClosed: ({ date, reason, legacyId }, applied) =>
    create(applied, catalogTables.closedDates, { date, status: 'closed', reason, legacy_id: legacyId }),
  DateReopened: ({ date, reason }, applied) =>
    update(applied, catalogTables.closedDates, { date }, { status: 'reopened', reason }),

  WeeklyCloseDaysChanged: ({ to, reason }, applied) =>
    create(applied, catalogTables.weeklyCloseDays, { scope: weeklyCloseDaysScope(applied.streamId), mask: to, reason }),
  OrderingDeadlineChanged: ({ kind, to, reason }, applied) =>
    create(applied, catalogTables.orderingDeadlines, {
      kind,
      deadline_kind: to.kind,
      weekday: to.kind === 'weekly' ? to.weekday : null,
      deadline_time: to.time,
      reason,
    }),
};

/**
 * The row an event changes, by the entity its type names (`TracerPermission…` before `Tracer…`), so
 * that `prepareBatch` reads a batch's rows with one statement per table. Only a preload: a handler
 * reads a row it misses itself.
 */
const rowOfEvent: readonly [string, CatalogTable, (data: Record<string, unknown>, streamId: string) => SqlValues][] = [
  ['Isotope', isotopes, (data) => ({ id: data.isotopeId })],
  [
    'TracerPermission',
    catalogTables.tracerPermissions,
    (data) => ({ endpoint_id: data.endpointId, tracer_id: data.tracerId }),
  ],
  ['Tracer', tracers, (data) => ({ id: data.tracerId })],
  ['Customer', customers, (data) => ({ id: data.customerId })],
  ['DeliveryEndpoint', deliveryEndpoints, (data) => ({ id: data.endpointId })],
  ['ProductionRun', productionRuns, (data) => ({ id: data.productionRunId })],
  ['DeliveryTimeSlot', deliveryTimeSlots, (data) => ({ id: data.slotId })],
  ['Date', catalogTables.closedDates, (data) => ({ date: data.date })],
  ['WeeklyCloseDays', catalogTables.weeklyCloseDays, (_data, streamId) => ({ scope: weeklyCloseDaysScope(streamId) })],
  ['OrderingDeadline', catalogTables.orderingDeadlines, (data) => ({ kind: data.kind })],
];

async function preloadRows(events: readonly RecordedEvent[], tx: ProjectionTransaction): Promise<void> {
  const keys = new Map<CatalogTable, SqlValues[]>();
  for (const event of events) {
    const found = rowOfEvent.find(([prefix]) => event.type.startsWith(prefix));
    if (!found || typeof event.data !== 'object' || event.data === null) continue;
    const [, table, keyOf] = found;
    const key = keyOf(event.data as Record<string, unknown>, event.streamId);
    // A malformed event is the handler's to report, at its position.
    if (Object.values(key).some((value) => typeof value !== 'string')) continue;
    const tableKeys = keys.get(table);
    if (tableKeys) tableKeys.push(key);
    else keys.set(table, [key]);
  }
  for (const [table, tableKeys] of keys) await rows.preload(tx, table, tableKeys);
}

function isCatalogRecordEventType(type: string): type is CatalogRecordEventType {
  return Object.hasOwn(handlers, type);
}

/**
 * The catalogue's read models: one projection for all its tables, so lists that join entities
 * (a customer's endpoints, a run's slots) are always consistent with each other.
 */
export const catalogProjection: Projection = {
  name: CATALOG_PROJECTION_NAME,
  // 2: legacy_id columns (the legacy ids the creating events carry).
  // 3: catalog_ordering_deadlines.
  version: 3,
  target: 'record',
  eventTypes: catalogRecordEventTypes,
  streamPrefixes: ['catalog.'],
  upcasters: catalogUpcasters,
  tables: catalogTableDefinitions,
  async handle(event, tx) {
    const { type } = event;
    if (!isCatalogRecordEventType(type)) throw new Error(`${CATALOG_PROJECTION_NAME} does not handle ${type}`);
    // Older versions arrive upcast (`upcasters`); a newer shape than this code knows must stop it, not be misread.
    const schemaVersion = catalogEventSchemaVersions[type];
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${CATALOG_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    const applied: AppliedEvent = {
      tx,
      type,
      streamId: event.streamId,
      position: event.position.toString(),
      revision: event.revision.toString(),
      at: businessTimeOf(event),
    };
    const handler = handlers[type] as (data: unknown, applied: AppliedEvent) => Promise<void>;
    await handler(event.data, applied);
  },
  prepareBatch: preloadRows,
  flushBatch: (tx) => rows.flush(tx),
};
