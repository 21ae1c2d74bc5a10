import {
  auditEventSchemaVersions,
  type AuditTrailReviewedData,
  type IncidentClosedData,
  type IncidentRaisedData,
} from '@tracershop/domain/audit';
import type { RecordedEvent } from '@tracershop/event-store';
import {
  deliveryDayDecider,
  orderingEventSchemaVersions,
  type DeliveryDayEvent,
  type DeliveryDayState,
} from '@tracershop/domain/ordering';
import type { Projection, ProjectionTransaction } from '@tracershop/projections/engine';
import { INCIDENTS_TOPIC, productionDayTopic, type LiveIncident, type LiveReview } from '@tracershop/realtime';
import { DELIVERY_DAY_STREAM_PREFIX, foldLiveChanges, messagesOf } from './live-rows';
import { liveTableDefinitions, liveTables, utcDatetimeOf } from './live-tables';

export const LIVE_DASHBOARDS_PROJECTION_NAME = 'live.dashboards';

/** The delivery-day events: the orders, moves, ghosts and releases of one endpoint on one date. */
export const liveDashboardEventTypes: readonly DeliveryDayEvent['type'][] = [
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
  'DeadOrderFlagged',
  'ActivityReleased',
  'InjectionOrdersReleased',
  'ReleasedOrderCorrected',
];

/** Reviews of a delivery day's audit trail are announced on its production day. */
const REVIEWED_DAY_STREAM_PREFIX = `audit.trailReviews-${DELIVERY_DAY_STREAM_PREFIX}`;

/** Incidents are announced on their own topic. */
const INCIDENT_STREAM_PREFIX = 'audit.incident-';
const otherEventTypes = ['AuditTrailReviewed', 'IncidentRaised', 'IncidentClosed'] as const;
type OtherEventType = (typeof otherEventTypes)[number];

const handled = new Set<string>([...liveDashboardEventTypes, ...otherEventTypes]);

/** A row write kept for the batch: its values in column order, without the key. */
interface RowWrite {
  values: unknown[];
}

/**
 * The batch's view of the live tables. The batch is one transaction and only this projection
 * writes them, so each delivery day is read once per batch (all of them in one statement by
 * `prepareBatch`) and then kept here (as the decider's state: `evolve` never changes a state it is
 * given, so events may share it, and a day is turned into JSON once per batch, not once per
 * event); the writes go out as multi-row statements when the engine flushes: one write per key
 * (the newest, as one statement per event would leave it) and the log rows in event and message
 * order.
 */
interface BatchState {
  /** Each delivery day's state as the batch sees it. */
  days: Map<string, DeliveryDayState>;
  /** Each day's orders as stored (read, or written by the last flush): what a flush compares with. */
  storedOrders: Map<string, DeliveryDayState['orders']>;
  /** The days the batch changed, with the position of the latest event: written by `flushBatch`. */
  unsavedDays: Map<string, { state: DeliveryDayState; commit: string; prepare: string }>;
  unsavedOrders: Map<string, RowWrite>;
  unsavedGhosts: Map<string, RowWrite>;
  /** Incidents as the batch sees them (read, or changed by its events). */
  incidents: Map<string, LiveIncident>;
  unsavedIncidents: Map<string, RowWrite>;
  messages: unknown[][];
}

const batches = new WeakMap<ProjectionTransaction, BatchState>();
/** Rows per multi-row statement, and roughly the most parameter text per statement. */
const FLUSH_CHUNK_ROWS = 500;
const FLUSH_CHUNK_CHARS = 4 * 1024 * 1024;

function batchOf(tx: ProjectionTransaction): BatchState {
  let batch = batches.get(tx);
  if (!batch) {
    batch = {
      days: new Map(),
      storedOrders: new Map(),
      unsavedDays: new Map(),
      unsavedOrders: new Map(),
      unsavedGhosts: new Map(),
      incidents: new Map(),
      unsavedIncidents: new Map(),
      messages: [],
    };
    batches.set(tx, batch);
  }
  return batch;
}

/** Keeps the newest write of a key, placed as if it were written now. */
function keep(writes: Map<string, RowWrite>, key: string, values: unknown[]): void {
  writes.delete(key);
  writes.set(key, { values });
}

async function loadDay(tx: ProjectionTransaction, batch: BatchState, streamId: string): Promise<DeliveryDayState> {
  if (!batch.days.has(streamId)) await loadDays(tx, batch, [streamId]);
  return batch.days.get(streamId) as DeliveryDayState;
}

/** Stream ids per preload statement. */
const PRELOAD_CHUNK = 500;

/**
 * Reads these delivery days: each day without its orders, and the orders from their own rows, put
 * back together as the decider's state. A day not stored yet starts from the decider's initial state.
 */
async function loadDays(tx: ProjectionTransaction, batch: BatchState, streamIds: readonly string[]): Promise<void> {
  // Tables that started empty hold only the days this batch wrote, and those it keeps.
  const toRead = tx.startedEmpty ? [] : streamIds;
  for (const streamId of tx.startedEmpty ? streamIds : []) {
    const state = deliveryDayDecider.initialState();
    batch.days.set(streamId, state);
    batch.storedOrders.set(streamId, state.orders);
  }
  for (let start = 0; start < toRead.length; start += PRELOAD_CHUNK) {
    const chunk = toRead.slice(start, start + PRELOAD_CHUNK);
    const marks = chunk.map(() => '?').join(', ');
    // One statement for both tables: a day's row has no order id, its orders' rows have one.
    const rows = await tx.query<Array<{ stream_id: string; order_id: string | null; state: string }>>(
      `SELECT stream_id, NULL AS order_id, state FROM ${tx.table(liveTables.deliveryDays)} WHERE stream_id IN (${marks})
       UNION ALL
       SELECT stream_id, order_id, state FROM ${tx.table(liveTables.dayOrders)} WHERE stream_id IN (${marks})`,
      [...chunk, ...chunk],
    );
    const ordersOf = new Map<string, DeliveryDayState['orders']>();
    const stored = new Map<string, string>();
    for (const row of rows) {
      if (row.order_id === null) {
        stored.set(row.stream_id, row.state);
        continue;
      }
      let orders = ordersOf.get(row.stream_id);
      if (!orders) ordersOf.set(row.stream_id, (orders = {}));
      orders[row.order_id] = JSON.parse(row.state) as DeliveryDayState['orders'][string];
    }
    for (const streamId of chunk) {
      const text = stored.get(streamId);
      const orders = ordersOf.get(streamId) ?? {};
      const state =
        text === undefined
          ? deliveryDayDecider.initialState()
          : { ...(JSON.parse(text) as Omit<DeliveryDayState, 'orders'>), orders };
      batch.days.set(streamId, state);
      batch.storedOrders.set(streamId, state.orders);
    }
  }
}

/** Reads every delivery day the batch's events touch, one statement per 500 days, before the first event. */
async function prepareBatch(events: readonly RecordedEvent[], tx: ProjectionTransaction): Promise<void> {
  const batch = batchOf(tx);
  const days = events.filter((event) => event.streamId.startsWith(DELIVERY_DAY_STREAM_PREFIX));
  const wanted = [...new Set(days.map((event) => event.streamId))].filter((id) => !batch.days.has(id));
  await loadDays(tx, batch, wanted);
}

/**
 * The day's rows to write: the day without its orders, and the orders that are not the objects
 * stored (`evolve` never changes an order it is given, so an order an event left alone is the same
 * object). Orders never leave a day's state (a cancelled or dead order stays), so none is deleted.
 */
function dayWrites(
  batch: BatchState,
  streamId: string,
  day: { state: DeliveryDayState; commit: string; prepare: string },
): { dayRow: unknown[]; orderRows: unknown[][] } {
  const { orders, ...rest } = day.state;
  const stored = batch.storedOrders.get(streamId) ?? {};
  const orderRows: unknown[][] = [];
  for (const [orderId, order] of Object.entries(orders)) {
    if (stored[orderId] !== order) orderRows.push([streamId, orderId, JSON.stringify(order)]);
  }
  for (const orderId of Object.keys(stored)) {
    if (!Object.hasOwn(orders, orderId)) throw new Error(`Order ${orderId} left the state of ${streamId}`);
  }
  batch.storedOrders.set(streamId, orders);
  return { dayRow: [streamId, JSON.stringify(rest), day.commit, day.prepare], orderRows };
}

/** Splits rows into chunks of at most FLUSH_CHUNK_ROWS rows and about FLUSH_CHUNK_CHARS of text. */
function chunksOf(rows: readonly unknown[][]): unknown[][][] {
  const chunks: unknown[][][] = [];
  let chunk: unknown[][] = [];
  let chars = 0;
  for (const row of rows) {
    const size = row.reduce<number>((sum, value) => sum + (typeof value === 'string' ? value.length : 20), 0);
    if (chunk.length > 0 && (chunk.length >= FLUSH_CHUNK_ROWS || chars + size > FLUSH_CHUNK_CHARS)) {
      chunks.push(chunk);
      chunk = [];
      chars = 0;
    }
    chunk.push(row);
    chars += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** `INSERT … VALUES (…), (…) [suffix]` per chunk of rows, deferred to go out with the commit. */
async function insertRows(
  tx: ProjectionTransaction,
  head: string,
  rows: readonly unknown[][],
  suffix = '',
): Promise<void> {
  for (const chunk of chunksOf(rows)) {
    const tuple = `(${chunk[0]!.map(() => '?').join(', ')})`;
    await tx.deferWrite(`${head} VALUES ${chunk.map(() => tuple).join(', ')}${suffix}`, chunk.flat());
  }
}

const upsertRows = (writes: Map<string, RowWrite>): unknown[][] =>
  [...writes.entries()].map(([key, write]) => [key, ...write.values]);

/** Writes what the batch kept: the delivery days, the order and ghost rows, then the log. */
async function flushBatch(tx: ProjectionTransaction): Promise<void> {
  const batch = batches.get(tx);
  if (!batch) return;
  const days: unknown[][] = [];
  const dayOrders: unknown[][] = [];
  for (const [streamId, day] of batch.unsavedDays) {
    const { dayRow, orderRows } = dayWrites(batch, streamId, day);
    days.push(dayRow);
    dayOrders.push(...orderRows);
  }
  const orders = upsertRows(batch.unsavedOrders);
  const ghosts = upsertRows(batch.unsavedGhosts);
  const incidents = upsertRows(batch.unsavedIncidents);
  const messages = batch.messages;
  batch.unsavedDays.clear();
  batch.unsavedOrders.clear();
  batch.unsavedGhosts.clear();
  batch.unsavedIncidents.clear();
  batch.messages = [];
  // VALUES() in ON DUPLICATE KEY UPDATE is deprecated in MySQL 8.0.20+ but is the one form MariaDB also accepts.
  await insertRows(
    tx,
    `INSERT INTO ${tx.table(liveTables.deliveryDays)} (stream_id, state, pos_commit, pos_prepare)`,
    days,
    ` ON DUPLICATE KEY UPDATE state = VALUES(state), pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
  );
  await insertRows(
    tx,
    `INSERT INTO ${tx.table(liveTables.dayOrders)} (stream_id, order_id, state)`,
    dayOrders,
    ` ON DUPLICATE KEY UPDATE state = VALUES(state)`,
  );
  await insertRows(
    tx,
    `INSERT INTO ${tx.table(liveTables.orders)} (order_id, delivery_date, customer_id, row_json, pos_commit, pos_prepare)`,
    orders,
    ` ON DUPLICATE KEY UPDATE delivery_date = VALUES(delivery_date), customer_id = VALUES(customer_id),
       row_json = VALUES(row_json), pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
  );
  await insertRows(
    tx,
    `INSERT INTO ${tx.table(liveTables.ghosts)} (ghost_id, delivery_date, customer_id, row_json, pos_commit, pos_prepare)`,
    ghosts,
    ` ON DUPLICATE KEY UPDATE delivery_date = VALUES(delivery_date), customer_id = VALUES(customer_id),
       row_json = VALUES(row_json), pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
  );
  await insertRows(
    tx,
    `INSERT INTO ${tx.table(liveTables.incidents)} (incident_id, status, row_json, pos_commit, pos_prepare)`,
    incidents,
    ` ON DUPLICATE KEY UPDATE status = VALUES(status), row_json = VALUES(row_json),
       pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
  );
  await insertRows(
    tx,
    `INSERT INTO ${tx.table(liveTables.messages)} (pos_commit, pos_prepare, seq, topic, position, type, payload, recorded_at)`,
    messages,
  );
}

/** No upcasters exist yet: a newer shape than this version knows must stop it, not be misread. */
function requireSchemaVersion(event: RecordedEvent, type: OtherEventType): void {
  if (event.metadata.schemaVersion === auditEventSchemaVersions[type]) return;
  throw new Error(
    `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
      `${LIVE_DASHBOARDS_PROJECTION_NAME} reads version ${auditEventSchemaVersions[type]}`,
  );
}

/** The incident as stored, or as an earlier event of the batch left it. */
async function storedIncident(tx: ProjectionTransaction, batch: BatchState, incidentId: string): Promise<LiveIncident> {
  const kept = batch.incidents.get(incidentId);
  if (kept) return kept;
  const rows = await tx.query<Array<{ row_json: string }>>(
    `SELECT row_json FROM ${tx.table(liveTables.incidents)} WHERE incident_id = ?`,
    [incidentId],
  );
  const row = rows[0];
  if (!row) throw new Error(`${LIVE_DASHBOARDS_PROJECTION_NAME}: incident ${incidentId} was closed but never raised`);
  return JSON.parse(row.row_json) as LiveIncident;
}

/** Keeps the incident's row and logs `incident.updated` on the incidents topic. */
async function changeIncident(event: RecordedEvent, tx: ProjectionTransaction): Promise<void> {
  const type = event.type as 'IncidentRaised' | 'IncidentClosed';
  requireSchemaVersion(event, type);
  const batch = batchOf(tx);
  let incident: LiveIncident;
  if (type === 'IncidentRaised') {
    const data = event.data as IncidentRaisedData;
    incident = {
      incidentId: data.incidentId,
      kind: data.kind,
      status: 'open',
      summary: data.summary,
      raisedAt: data.raisedAt,
      raisedBy: event.metadata.actor.printedName,
      closedAt: null,
      closedBy: null,
    };
  } else {
    const data = event.data as IncidentClosedData;
    const raised = await storedIncident(tx, batch, data.incidentId);
    incident = { ...raised, status: 'closed', closedAt: data.closedAt, closedBy: event.metadata.actor.printedName };
  }
  const commit = event.position.commit.toString();
  const prepare = event.position.prepare.toString();
  batch.incidents.set(incident.incidentId, incident);
  keep(batch.unsavedIncidents, incident.incidentId, [incident.status, JSON.stringify(incident), commit, prepare]);
  batch.messages.push([
    commit,
    prepare,
    0,
    INCIDENTS_TOPIC,
    event.position.toString(),
    'incident.updated',
    JSON.stringify({ incident }),
    utcDatetimeOf(event.metadata.recordedAt),
  ]);
}

/** Logs `record.reviewed` on the reviewed delivery day's production day; it changes no row. */
function logReview(event: RecordedEvent, tx: ProjectionTransaction): void {
  requireSchemaVersion(event, 'AuditTrailReviewed');
  const data = event.data as AuditTrailReviewedData;
  const dayId = data.scope.streamId.slice(DELIVERY_DAY_STREAM_PREFIX.length);
  const separator = dayId.lastIndexOf(':');
  const review: LiveReview = {
    reviewId: data.reviewId,
    recordStreamId: data.scope.streamId,
    endpointId: decodeURIComponent(dayId.slice(0, separator)),
    deliveryDate: dayId.slice(separator + 1),
    fromRevision: data.scope.fromRevision,
    throughRevision: data.scope.throughRevision,
    conclusion: data.conclusion,
    exceptionCount: data.exceptions.length,
    reviewer: data.reviewer.printedName,
    reviewedAt: data.reviewedAt,
  };
  batchOf(tx).messages.push([
    event.position.commit.toString(),
    event.position.prepare.toString(),
    0,
    productionDayTopic(review.deliveryDate),
    event.position.toString(),
    'record.reviewed',
    JSON.stringify({ review }),
    utcDatetimeOf(event.metadata.recordedAt),
  ]);
}

/**
 * The dashboards' live rows and their message log. Each delivery-day event is folded with the
 * decider's `evolve` into the day's state; the orders and ghosts whose row changed are written,
 * and one `order.updated` / `ghost.updated` message per changed row is logged for the production
 * day and for the customer, all in the batch's transaction with the checkpoint. The api's gateway
 * reads only this log: nothing is announced that was not stored, and a client resumes from it.
 * Version 2 stores each message's `recorded_at`, which the log's retention is measured on; version 3
 * stores a day's orders one row each (`live_day_orders`), so a batch writes only the orders it changed;
 * version 4 keeps the incidents (`live_incidents`) and logs `incident.updated` on `incidents`.
 */
export const liveDashboardsProjection: Projection = {
  name: LIVE_DASHBOARDS_PROJECTION_NAME,
  version: 4,
  target: 'record',
  eventTypes: [...liveDashboardEventTypes, ...otherEventTypes],
  streamPrefixes: [DELIVERY_DAY_STREAM_PREFIX, REVIEWED_DAY_STREAM_PREFIX, INCIDENT_STREAM_PREFIX],
  // Sockets wait on this one: a batch may follow the last after 5 ms, not the engine's 20 (at 200
  // commands/s, p50 append → socket 30-36 -> 21 ms for the same CPU).
  liveBatchSpacingMs: 5,
  tables: liveTableDefinitions,
  prepareBatch,
  flushBatch,
  async handle(event: RecordedEvent, tx: ProjectionTransaction) {
    if (!handled.has(event.type)) throw new Error(`${LIVE_DASHBOARDS_PROJECTION_NAME} does not handle ${event.type}`);
    if (event.type === 'AuditTrailReviewed') return logReview(event, tx);
    if (event.type === 'IncidentRaised' || event.type === 'IncidentClosed') return changeIncident(event, tx);
    const type = event.type as DeliveryDayEvent['type'];
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    if (event.metadata.schemaVersion !== orderingEventSchemaVersions[type]) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${LIVE_DASHBOARDS_PROJECTION_NAME} reads version ${orderingEventSchemaVersions[type]}`,
      );
    }
    const batch = batchOf(tx);
    const before = await loadDay(tx, batch, event.streamId);
    const { state, changes } = foldLiveChanges(before, { type, data: event.data } as DeliveryDayEvent);
    const commit = event.position.commit.toString();
    const prepare = event.position.prepare.toString();
    batch.days.set(event.streamId, state);
    batch.unsavedDays.set(event.streamId, { state, commit, prepare });
    for (const order of changes.orders) {
      keep(batch.unsavedOrders, order.orderId, [
        order.deliveryDate,
        order.customerId,
        JSON.stringify(order),
        commit,
        prepare,
      ]);
    }
    for (const ghost of changes.ghosts) {
      keep(batch.unsavedGhosts, ghost.ghostId, [
        ghost.deliveryDate,
        ghost.customerId,
        JSON.stringify(ghost),
        commit,
        prepare,
      ]);
    }
    const messages = messagesOf(changes);
    if (messages.length === 0) return;
    const position = event.position.toString();
    const recordedAt = utcDatetimeOf(event.metadata.recordedAt);
    messages.forEach((message, seq) => {
      batch.messages.push([
        commit,
        prepare,
        seq,
        message.topic,
        position,
        message.type,
        JSON.stringify(message.payload),
        recordedAt,
      ]);
    });
  },
};
