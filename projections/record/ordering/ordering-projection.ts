import type { RecordedEvent } from '@tracershop/event-store';
import {
  deliveryTimeSlotStreamName,
  type ClockTime,
  type DeliveryTimeSlotUpdatedData,
} from '@tracershop/domain/catalog';
import {
  businessDateOf,
  decayFactor,
  DEFAULT_BUSINESS_TIME_ZONE,
  legacyStatusCode,
  orderingEventSchemaVersions,
  orderingEventTypes,
  secondsBetween,
  vialStreamName,
  type OrderingEvent,
  type OrderingEventType,
  type OrderStatus,
  type ReleasedBy,
} from '@tracershop/domain/ordering';
import {
  BatchRows,
  businessTimeOf,
  uniqueKeysOf,
  type Projection,
  type ProjectionTransaction,
  type TextRow,
} from '@tracershop/projections/engine';
import { OrderHistoryBuffer, StreamMembers } from './ordering-batch';
import {
  changedColumns,
  DELIVERY_DAY_PREFIX,
  deliveryDayOfStream,
  distinctLots,
  historyDetails,
  injectionOrderChangeColumns,
  servedActivityMBq,
  vialMeasurementColumns,
} from './ordering-rows';
import { orderingTableDefinitions, orderingTables, type OrderingTable } from './ordering-tables';

export const ORDERING_PROJECTION_NAME = 'record.ordering';

/** The catalogue event the ordering tables follow: a slot rescheduled moves its orders to come. */
const SLOT_RESCHEDULED = 'DeliveryTimeSlotUpdated';
/** Its versions carry `slotId` and `changes.deliveryTime` alike (2 added the change's reason, not read here). */
const SLOT_RESCHEDULED_VERSIONS_READ: readonly number[] = [1, 2];

/**
 * Every ordering event (the delivery days' orders, ghosts and releases, and the vials), and a
 * delivery time slot's update.
 */
export const orderingRecordEventTypes: readonly (OrderingEventType | typeof SLOT_RESCHEDULED)[] = [
  ...orderingEventTypes,
  SLOT_RESCHEDULED,
];

/** What every write needs to know about the event being applied. */
interface AppliedEvent {
  tx: ProjectionTransaction;
  type: OrderingEventType;
  streamId: string;
  position: string;
  revision: string;
  /** `occurredAt` (business time) as a UTC DATETIME literal. */
  at: string;
  actorId: string;
  actorName: string;
  /** `metadata.reason`: the pipeline puts a command's reason there. */
  reason: string | null;
  /** `metadata.signature` as JSON text, for signed events. */
  signature: string | null;
}

type SqlValues = Record<string, unknown>;

// Writes. Column names come from this file and `ordering-rows.ts` only; every value is a parameter.
// Rows change in the batch's memory (`BatchRows`, the history buffer) and reach the tables as a few
// multi-row statements per batch.

const { orders, orderHistory, ghosts, releases, vials } = orderingTables;

/** The tables written through `BatchRows`, by their primary key column. */
type RowTable = Exclude<OrderingTable, typeof orderHistory>;
const keyColumns: Readonly<Record<RowTable, string>> = {
  [orders]: 'order_id',
  [ghosts]: 'ghost_id',
  [releases]: 'release_id',
  [vials]: 'vial_id',
};

const rows = new BatchRows(
  (Object.entries(keyColumns) as [RowTable, string][]).map(([table, key]) => ({
    table,
    key: [key],
    uniqueKeys: uniqueKeysOf(orderingTableDefinitions[table]),
  })),
);
const history = new OrderHistoryBuffer(orderHistory);
/** The orders and ghosts of each delivery day, for the ghosts' hosted counts. */
const dayOrders = new StreamMembers(orders, keyColumns[orders]);
const dayGhosts = new StreamMembers(ghosts, keyColumns[ghosts]);

/** Lists and objects are stored as JSON text; mysql2 would expand an array into a value list. */
const jsonText = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

const keyOf = (table: RowTable, id: unknown) => ({ [keyColumns[table]]: id });

/**
 * The row as the creating event makes it. Orders, ghosts, releases and vials are each created once
 * by their stream (the deciders are idempotent), so a second creation is a defect and stops the
 * projection instead of overwriting a GMP record.
 */
async function create(applied: AppliedEvent, table: RowTable, values: SqlValues): Promise<void> {
  const id = values[keyColumns[table]];
  if (await rows.read(applied.tx, table, keyOf(table, id))) {
    throw new Error(`${applied.type} at ${applied.position}: ${table} already has ${keyColumns[table]} ${String(id)}`);
  }
  // Literal properties first: V8 adds properties to a spread copy of a large row slowly.
  rows.write(applied.tx, table, {
    stream_id: applied.streamId,
    created_position: applied.position,
    updated_position: applied.position,
    created_at: applied.at,
    updated_at: applied.at,
    revision: applied.revision,
    ...values,
  });
  if (table === orders) dayOrders.created(applied.tx, applied.streamId, String(id));
  if (table === ghosts) dayGhosts.created(applied.tx, applied.streamId, String(id));
}

/** Changes an existing row; like `evolve` on an unknown order, an unknown key changes nothing. */
async function update(applied: AppliedEvent, table: RowTable, id: string, values: SqlValues): Promise<void> {
  const row = await rows.read(applied.tx, table, keyOf(table, id));
  if (!row) return;
  // The row read is the caller's copy: changed in place, it costs no second copy.
  Object.assign(row, values);
  row.updated_position = applied.position;
  row.updated_at = applied.at;
  row.revision = applied.revision;
  rows.write(applied.tx, table, row);
}

const updateOrder = (applied: AppliedEvent, orderId: string, values: SqlValues) =>
  update(applied, orders, orderId, values);

/**
 * Appends the event to the order's history as the next position. Moves, releases and corrections
 * write one entry per order they list; the details keep the event's old and new values.
 */
async function recordHistory(applied: AppliedEvent, orderId: string, data: object): Promise<void> {
  const dataReason = (data as { reason?: unknown }).reason;
  await history.append(applied.tx, orderId, {
    event_type: applied.type,
    event_position: applied.position,
    stream_revision: applied.revision,
    occurred_at: applied.at,
    actor_id: applied.actorId,
    actor_name: applied.actorName,
    reason: applied.reason ?? (typeof dataReason === 'string' ? dataReason : null),
    details: JSON.stringify(historyDetails(data)),
    signature: applied.signature,
  });
}

const statusValues = (status: OrderStatus) => ({ status, status_code: legacyStatusCode[status] });

/** The figures an activity order's served activity is computed from; null for an unknown order. */
async function activityFigures(
  applied: AppliedEvent,
  orderId: string,
): Promise<{ activityMBq: number; decayFactor: number; overheadPercent: number } | null> {
  const row = await rows.read(applied.tx, orders, keyOf(orders, orderId));
  if (!row || row.kind !== 'activity') return null;
  // A stored row holds the server's text of each DOUBLE, a row of this batch the number written.
  return {
    activityMBq: Number(row.activity_mbq),
    decayFactor: Number(row.decay_factor),
    overheadPercent: Number(row.overhead_percent),
  };
}

/** BOOLEAN as the server prints it ('1') or as a handler wrote it (true). */
const isTrue = (value: unknown) => value === true || value === 1 || value === '1';

/**
 * A ghost hosts the day's moved-in, not withdrawn orders of its slot. Moves, restores,
 * cancellations and reinstatements change that count; a dissolved ghost keeps its last count.
 * Counted from the batch's rows of the day, as the day's orders stand after this event.
 */
async function recountHostedOrders(applied: AppliedEvent): Promise<void> {
  const { tx, streamId } = applied;
  const ghostIds = [...(await dayGhosts.of(tx, streamId))];
  if (ghostIds.length === 0) return;
  await rows.preload(
    tx,
    ghosts,
    ghostIds.map((id) => keyOf(ghosts, id)),
  );
  const hosts: TextRow[] = [];
  for (const ghostId of ghostIds) {
    const ghost = await rows.read(tx, ghosts, keyOf(ghosts, ghostId));
    if (ghost && ghost.status === 'active' && ghost.dissolved_at == null) hosts.push(ghost);
  }
  if (hosts.length === 0) return;
  const orderIds = [...(await dayOrders.of(tx, streamId))];
  await rows.preload(
    tx,
    orders,
    orderIds.map((id) => keyOf(orders, id)),
  );
  const hostedBySlot = new Map<string, number>();
  for (const orderId of orderIds) {
    const order = await rows.read(tx, orders, keyOf(orders, orderId));
    if (!order || !isTrue(order.moved) || order.status === 'rejected' || order.status === 'cancelled') continue;
    if (order.active_slot_id === null || order.active_slot_id === undefined) continue;
    const slotId = String(order.active_slot_id);
    hostedBySlot.set(slotId, (hostedBySlot.get(slotId) ?? 0) + 1);
  }
  for (const ghost of hosts) {
    const hosted = hostedBySlot.get(String(ghost.slot_id)) ?? 0;
    // Only the count changes: the ghost's latest event stays the one that last changed it.
    if (String(ghost.hosted_count) !== String(hosted)) rows.write(tx, ghosts, { ...ghost, hosted_count: hosted });
  }
}

/** The delivery days whose events a batch applied: rows its statements cannot see yet. */
const batchDays = new WeakMap<ProjectionTransaction, Set<string>>();

function noteDay(tx: ProjectionTransaction, streamId: string): void {
  if (!streamId.startsWith(DELIVERY_DAY_PREFIX)) return;
  let days = batchDays.get(tx);
  if (!days) {
    days = new Set();
    batchDays.set(tx, days);
  }
  days.add(streamId);
}

/** `HH:MM` of a TIME as the server prints it (`HH:MM:SS`) or as a handler wrote it. */
const clockOf = (value: unknown): ClockTime => String(value).slice(0, 5);

/**
 * A slot rescheduled (`DeliveryTimeSlotUpdated` with a new delivery time): its orders and ghosts
 * of the days to come, from the event's business date on, follow it, as the legacy tables' rows
 * do (`followInComingDays`); the catalogue and the old system then agree with the day board. A
 * slot the day has released keeps the time it was delivered at (history), and so do released
 * orders. A moved order's decay factor is taken again from the times it now spans, so the run's
 * need follows too. The rows' latest event stays their own stream's, as with hosted counts.
 */
async function followRescheduledSlot(
  tx: ProjectionTransaction,
  event: RecordedEvent,
  slotId: string,
  deliveryTime: ClockTime,
  timeZone: string,
): Promise<void> {
  const from = businessDateOf(event.metadata.occurredAt ?? event.metadata.recordedAt, timeZone);
  const days = new Set<string>();
  if (!tx.startedEmpty) {
    const stored = await tx.queryText(
      `SELECT stream_id FROM ${tx.table(orders)} WHERE delivery_date >= ? AND (slot_id = ? OR active_slot_id = ?)
       UNION SELECT stream_id FROM ${tx.table(ghosts)} WHERE delivery_date >= ? AND slot_id = ?`,
      [from, slotId, slotId, from, slotId],
    );
    for (const row of stored) days.add(String(row.stream_id));
  }
  for (const streamId of batchDays.get(tx) ?? []) {
    if (deliveryDayOfStream(streamId).date >= from) days.add(streamId);
  }
  for (const streamId of [...days].sort()) await followInDay(tx, streamId, slotId, deliveryTime, timeZone);
}

async function followInDay(
  tx: ProjectionTransaction,
  streamId: string,
  slotId: string,
  deliveryTime: ClockTime,
  timeZone: string,
): Promise<void> {
  const { date } = deliveryDayOfStream(streamId);
  const orderIds = [...(await dayOrders.of(tx, streamId))];
  await rows.preload(
    tx,
    orders,
    orderIds.map((id) => keyOf(orders, id)),
  );
  const dayRows: TextRow[] = [];
  for (const orderId of orderIds) {
    const row = await rows.read(tx, orders, keyOf(orders, orderId));
    if (row && row.kind === 'activity') dayRows.push(row);
  }
  const released = new Set(dayRows.filter((row) => row.status === 'released').map((row) => String(row.active_slot_id)));
  if (released.has(slotId)) return;
  for (const row of dayRows) {
    if (row.status === 'released' || released.has(String(row.active_slot_id))) continue;
    const own = row.slot_id === slotId && clockOf(row.delivery_time) !== deliveryTime;
    const served = row.active_slot_id === slotId && clockOf(row.active_delivery_time) !== deliveryTime;
    if (!own && !served) continue;
    const values: SqlValues = {};
    if (own) values.delivery_time = deliveryTime;
    if (served) values.active_delivery_time = deliveryTime;
    const halfLife = Number(row.half_life_seconds);
    if (isTrue(row.moved) && halfLife > 0) {
      const orderedTime = own ? deliveryTime : clockOf(row.delivery_time);
      const servedTime = served ? deliveryTime : clockOf(row.active_delivery_time);
      const factor = decayFactor(secondsBetween(servedTime, orderedTime, { date, timeZone }), halfLife);
      values.decay_factor = factor;
      values.activity_served_mbq = servedActivityMBq(Number(row.activity_mbq), factor, Number(row.overhead_percent));
    }
    rows.write(tx, orders, Object.assign(row, values));
  }
  const ghostIds = [...(await dayGhosts.of(tx, streamId))];
  await rows.preload(
    tx,
    ghosts,
    ghostIds.map((id) => keyOf(ghosts, id)),
  );
  for (const ghostId of ghostIds) {
    const ghost = await rows.read(tx, ghosts, keyOf(ghosts, ghostId));
    if (!ghost || ghost.slot_id !== slotId || ghost.status !== 'active' || ghost.dissolved_at != null) continue;
    if (clockOf(ghost.delivery_time) !== deliveryTime)
      rows.write(tx, ghosts, { ...ghost, delivery_time: deliveryTime });
  }
}

async function customerOfOrder(applied: AppliedEvent, orderId: string | undefined): Promise<string> {
  const order = orderId === undefined ? null : await rows.read(applied.tx, orders, keyOf(orders, orderId));
  if (!order) throw new Error(`${applied.type} at ${applied.position} releases ${orderId}, an order never placed`);
  return String(order.customer_id);
}

const releasedByValues = (releasedBy: ReleasedBy) => ({
  released_by_user_id: releasedBy.userId,
  released_by_username: releasedBy.username,
  released_by_name: releasedBy.printedName,
  released_by_legacy_id: releasedBy.legacyUserId,
});

const notReleased = {
  release_id: null,
  lot: null,
  lots: jsonText([]),
  released_by_user_id: null,
  released_by_name: null,
  released_at: null,
};

// Handlers: one per event type, each doing to its rows what the deciders' `evolve` does to the state.

type OrderingHandlers = {
  [T in OrderingEventType]: (data: Extract<OrderingEvent, { type: T }>['data'], applied: AppliedEvent) => Promise<void>;
};

const handlers: OrderingHandlers = {
  async OrderPlaced(data, applied) {
    const { endpointId, date, order, deadlineOverrideReason } = data;
    const ofKind =
      order.kind === 'activity'
        ? {
            slot_id: order.slotId,
            production_run_id: order.productionRunId,
            run_number: order.runNumber,
            slot_legacy_id: order.slotLegacyId,
            active_slot_id: order.slotId,
            active_production_run_id: order.productionRunId,
            active_delivery_time: order.deliveryTime,
            active_run_number: order.runNumber,
            active_slot_legacy_id: order.slotLegacyId,
            moved: false,
            decay_factor: 1,
            half_life_seconds: order.halfLifeSeconds,
            activity_mbq: order.activityMBq,
            overhead_percent: order.overheadPercent,
            activity_served_mbq: servedActivityMBq(order.activityMBq, 1, order.overheadPercent),
            booking_ids: jsonText(order.bookingIds),
          }
        : {
            moved: false,
            injections: order.injections,
            injection_usage: order.usage,
            booking_ids: jsonText(order.bookingIds),
          };
    await create(applied, orders, {
      order_id: order.orderId,
      kind: order.kind,
      endpoint_id: endpointId,
      customer_id: order.customerId,
      tracer_id: order.tracerId,
      delivery_date: date,
      delivery_time: order.deliveryTime,
      ...statusValues('ordered'),
      comment: order.comment,
      ordered_by_user_id: order.orderedBy.userId,
      ordered_by_username: order.orderedBy.username,
      ordered_by_name: order.orderedBy.printedName,
      deadline_override_reason: deadlineOverrideReason,
      ...notReleased,
      legacy_oid: order.legacyOid,
      customer_legacy_id: order.customerLegacyId,
      tracer_legacy_id: order.tracerLegacyId,
      ...ofKind,
    });
    await recordHistory(applied, order.orderId, data);
  },

  async OrderAccepted(data, applied) {
    await updateOrder(applied, data.orderId, statusValues('accepted'));
    await recordHistory(applied, data.orderId, data);
  },

  async OrderRejected(data, applied) {
    await updateOrder(applied, data.orderId, statusValues('rejected'));
    await recordHistory(applied, data.orderId, data);
    await recountHostedOrders(applied);
  },

  async OrderCancelled(data, applied) {
    await updateOrder(applied, data.orderId, statusValues('cancelled'));
    await recordHistory(applied, data.orderId, data);
    await recountHostedOrders(applied);
  },

  async OrderReinstated(data, applied) {
    await updateOrder(applied, data.orderId, statusValues('accepted'));
    await recordHistory(applied, data.orderId, data);
    await recountHostedOrders(applied);
  },

  async OrderActivityChanged(data, applied) {
    const values: SqlValues = {};
    if (data.comment) values.comment = data.comment.to;
    if (data.activityMBq) {
      const figures = await activityFigures(applied, data.orderId);
      values.activity_mbq = data.activityMBq.to;
      if (figures) {
        values.activity_served_mbq = servedActivityMBq(
          data.activityMBq.to,
          figures.decayFactor,
          figures.overheadPercent,
        );
      }
    }
    await updateOrder(applied, data.orderId, values);
    await recordHistory(applied, data.orderId, data);
  },

  async InjectionOrderChanged(data, applied) {
    await updateOrder(applied, data.orderId, changedColumns(injectionOrderChangeColumns, data.changes, applied.type));
    await recordHistory(applied, data.orderId, data);
  },

  async OrderMovedToSlot(data, applied) {
    const figures = await activityFigures(applied, data.orderId);
    await updateOrder(applied, data.orderId, {
      active_slot_id: data.to.slotId,
      active_production_run_id: data.to.productionRunId,
      active_delivery_time: data.to.deliveryTime,
      active_run_number: data.to.runNumber,
      active_slot_legacy_id: data.to.slotLegacyId,
      moved: true,
      decay_factor: data.decayFactor,
      ...(figures
        ? { activity_served_mbq: servedActivityMBq(figures.activityMBq, data.decayFactor, figures.overheadPercent) }
        : {}),
    });
    await recordHistory(applied, data.orderId, data);
    await recountHostedOrders(applied);
  },

  async OrderRestoredToSlot(data, applied) {
    const figures = await activityFigures(applied, data.orderId);
    await updateOrder(applied, data.orderId, {
      // The ordered slot as the restore found it (rescheduled or renumbered since, maybe).
      production_run_id: data.to.productionRunId,
      delivery_time: data.to.deliveryTime,
      run_number: data.to.runNumber,
      slot_legacy_id: data.to.slotLegacyId,
      active_slot_id: data.to.slotId,
      active_production_run_id: data.to.productionRunId,
      active_delivery_time: data.to.deliveryTime,
      active_run_number: data.to.runNumber,
      active_slot_legacy_id: data.to.slotLegacyId,
      moved: false,
      decay_factor: 1,
      ...(figures ? { activity_served_mbq: servedActivityMBq(figures.activityMBq, 1, figures.overheadPercent) } : {}),
    });
    await recordHistory(applied, data.orderId, data);
    await recountHostedOrders(applied);
  },

  async GhostOrderCreated(data, applied) {
    const { endpointId, date } = deliveryDayOfStream(applied.streamId);
    await create(applied, ghosts, {
      ghost_id: data.ghostId,
      legacy_oid: data.legacyOid,
      endpoint_id: endpointId,
      customer_id: data.customerId,
      tracer_id: data.tracerId,
      delivery_date: date,
      slot_id: data.slotId,
      production_run_id: data.productionRunId,
      delivery_time: data.deliveryTime,
      run_number: data.runNumber,
      slot_legacy_id: data.slotLegacyId,
      customer_legacy_id: data.customerLegacyId,
      tracer_legacy_id: data.tracerLegacyId,
      status: 'active',
      hosted_count: data.hostedOrderIds.length,
      dissolved_at: null,
      dissolved_because: null,
    });
    // The hosted orders do not change, but their history shows which ghost row they hang under.
    const { hostedOrderIds: _hosted, ...ghost } = data;
    for (const orderId of data.hostedOrderIds) await recordHistory(applied, orderId, ghost);
  },

  GhostOrderDissolved: (data, applied) =>
    update(applied, ghosts, data.ghostId, { dissolved_at: applied.at, dissolved_because: data.because }),

  DeadOrderFlagged: (data, applied) => update(applied, ghosts, data.orderId, { status: 'dead' }),

  async ActivityReleased(data, applied) {
    const { endpointId, date } = deliveryDayOfStream(applied.streamId);
    const lots = distinctLots(data.vials);
    await create(applied, releases, {
      release_id: data.releaseId,
      kind: 'activity',
      endpoint_id: endpointId,
      customer_id: await customerOfOrder(applied, data.orderIds[0]),
      delivery_date: date,
      slot_id: data.slotId,
      tracer_id: data.tracerId,
      ghost_id: data.ghostId,
      order_ids: jsonText(data.orderIds),
      lot: data.vials[0]?.lot ?? null,
      lots: jsonText(lots),
      delivered_activity_mbq: data.deliveredActivityMBq,
      max_injection_volume_ml: null,
      vial_ids: jsonText(data.vials.map((vial) => vial.vialId)),
      ...releasedByValues(data.releasedBy),
      signature: applied.signature,
      released_at: applied.at,
      status: 'released',
    });
    for (const orderId of data.orderIds) {
      await updateOrder(applied, orderId, {
        release_id: data.releaseId,
        ...statusValues('released'),
        lot: data.vials[0]?.lot ?? null,
        lots: jsonText(lots),
        released_by_user_id: data.releasedBy.userId,
        released_by_name: data.releasedBy.printedName,
        released_at: applied.at,
      });
      await recordHistory(applied, orderId, data);
    }
  },

  async InjectionOrdersReleased(data, applied) {
    const { endpointId, date } = deliveryDayOfStream(applied.streamId);
    await create(applied, releases, {
      release_id: data.releaseId,
      kind: 'injection',
      endpoint_id: endpointId,
      customer_id: await customerOfOrder(applied, data.orderIds[0]),
      delivery_date: date,
      slot_id: null,
      tracer_id: data.tracerId,
      ghost_id: null,
      order_ids: jsonText(data.orderIds),
      lot: data.lot,
      lots: jsonText([data.lot]),
      delivered_activity_mbq: null,
      max_injection_volume_ml: data.maxInjectionVolumeMl ?? null,
      vial_ids: jsonText([]),
      ...releasedByValues(data.releasedBy),
      signature: applied.signature,
      released_at: applied.at,
      status: 'released',
    });
    for (const orderId of data.orderIds) {
      await updateOrder(applied, orderId, {
        release_id: data.releaseId,
        ...statusValues('released'),
        lot: data.lot,
        lots: jsonText([data.lot]),
        released_by_user_id: data.releasedBy.userId,
        released_by_name: data.releasedBy.printedName,
        released_at: applied.at,
      });
      await recordHistory(applied, orderId, data);
    }
  },

  async ReleasedOrderCorrected(data, applied) {
    await update(applied, releases, data.releaseId, {
      status: 'corrected',
      correction_reason: data.reason,
      corrected_at: applied.at,
      corrected_by_user_id: applied.actorId,
      corrected_by_name: applied.actorName,
      correction_signature: applied.signature,
    });
    // The original release stays in the history and in `ordering_releases`; the orders start over.
    for (const orderId of data.orderIds) {
      await updateOrder(applied, orderId, { ...statusValues('accepted'), ...notReleased });
      await recordHistory(applied, orderId, data);
    }
  },

  VialDispensed: (vial, applied) =>
    create(applied, vials, {
      vial_id: vial.vialId,
      lot: vial.lot,
      fill_date: vial.fillDate,
      fill_time: vial.fillTime,
      activity_mbq: vial.activityMBq,
      volume_ml: vial.volumeMl,
      dispenser_number: vial.dispenserNumber,
      depot_position: vial.depotPosition,
      gross_g: vial.grossG,
      tare_g: vial.tareG,
      net_g: vial.netG,
      product: vial.product,
      legacy_val_id: vial.legacyValId,
      release_id: null,
      release_stream_id: null,
      dispensed_at: applied.at,
      void_reason: null,
      voided_at: null,
      voided_by_name: null,
    }),

  VialCorrected: (data, applied) =>
    update(applied, vials, data.vialId, changedColumns(vialMeasurementColumns, data.changes, applied.type)),

  VialAssigned: (data, applied) =>
    update(applied, vials, data.vialId, { release_id: data.releaseId, release_stream_id: data.streamId }),

  VialUnassigned: (data, applied) => update(applied, vials, data.vialId, { release_id: null, release_stream_id: null }),

  VialVoided: (data, applied) =>
    update(applied, vials, data.vialId, {
      void_reason: data.reason,
      voided_at: applied.at,
      voided_by_name: applied.actorName,
    }),

  VialRestored: (data, applied) =>
    update(applied, vials, data.vialId, { void_reason: null, voided_at: null, voided_by_name: null }),
};

/** The ids an event names, by what it touches; `recount`: it changes the day's hosted counts. */
interface NamedIds {
  orders?: readonly unknown[];
  ghosts?: readonly unknown[];
  releases?: readonly unknown[];
  vials?: readonly unknown[];
  /** Orders it appends history to. */
  history?: readonly unknown[];
  recount?: boolean;
}

type EventData = Record<string, unknown>;
const listed = (value: unknown): readonly unknown[] => (Array.isArray(value) ? value : []);
const ofOrder = (data: EventData): NamedIds => ({ orders: [data.orderId], history: [data.orderId] });
const ofRecountingOrder = (data: EventData): NamedIds => ({ ...ofOrder(data), recount: true });
const ofRelease = (data: EventData): NamedIds => ({
  releases: [data.releaseId],
  orders: listed(data.orderIds),
  history: listed(data.orderIds),
});
const ofVial = (data: EventData): NamedIds => ({ vials: [data.vialId] });

/**
 * The rows each event's handler reads, so that `prepareBatch` reads a batch's rows with one
 * statement per table. Only a preload: a handler reads what it misses itself.
 */
const namedIds: Readonly<Record<OrderingEventType, (data: EventData) => NamedIds>> = {
  OrderPlaced: (data) => {
    const orderId = (data.order as EventData | null | undefined)?.orderId;
    return { orders: [orderId], history: [orderId] };
  },
  OrderAccepted: ofOrder,
  OrderRejected: ofRecountingOrder,
  OrderCancelled: ofRecountingOrder,
  OrderReinstated: ofRecountingOrder,
  OrderActivityChanged: ofOrder,
  InjectionOrderChanged: ofOrder,
  OrderMovedToSlot: ofRecountingOrder,
  OrderRestoredToSlot: ofRecountingOrder,
  GhostOrderCreated: (data) => ({ ghosts: [data.ghostId], history: listed(data.hostedOrderIds) }),
  GhostOrderDissolved: (data) => ({ ghosts: [data.ghostId] }),
  // The dead order is the ghost.
  DeadOrderFlagged: (data) => ({ ghosts: [data.orderId] }),
  ActivityReleased: ofRelease,
  InjectionOrdersReleased: ofRelease,
  ReleasedOrderCorrected: ofRelease,
  VialDispensed: ofVial,
  VialCorrected: ofVial,
  VialAssigned: ofVial,
  VialUnassigned: ofVial,
  VialVoided: ofVial,
  VialRestored: ofVial,
};

/** Reads every row the batch's events touch: one statement per table (and two for the days that recount). */
async function preloadRows(events: readonly RecordedEvent[], tx: ProjectionTransaction): Promise<void> {
  const ids = { orders: new Set<string>(), ghosts: new Set<string>(), releases: new Set<string>() };
  const vialIds = new Set<string>();
  const historyIds = new Set<string>();
  const recountDays = new Set<string>();
  const add = (into: Set<string>, values: readonly unknown[] | undefined) => {
    // A malformed event is the handler's to report, at its position.
    for (const value of values ?? []) if (typeof value === 'string') into.add(value);
  };
  for (const event of events) {
    if (!isOrderingEventType(event.type) || typeof event.data !== 'object' || event.data === null) continue;
    const named = namedIds[event.type](event.data as EventData);
    add(ids.orders, named.orders);
    add(ids.ghosts, named.ghosts);
    add(ids.releases, named.releases);
    add(vialIds, named.vials);
    add(historyIds, named.history);
    if (named.recount) recountDays.add(event.streamId);
  }
  if (recountDays.size > 0) {
    add(ids.ghosts, await dayGhosts.preload(tx, recountDays));
    add(ids.orders, await dayOrders.preload(tx, recountDays));
  }
  const preload = (table: RowTable, tableIds: ReadonlySet<string>) =>
    rows.preload(
      tx,
      table,
      [...tableIds].map((id) => keyOf(table, id)),
    );
  // Sent together: the connection runs them one after the other while the rows of each are parsed.
  await Promise.all([
    preload(orders, ids.orders),
    preload(ghosts, ids.ghosts),
    preload(releases, ids.releases),
    preload(vials, vialIds),
    history.preload(tx, historyIds),
  ]);
}

function isOrderingEventType(type: string): type is OrderingEventType {
  return Object.hasOwn(handlers, type);
}

export interface OrderingProjectionOptions {
  /** The business time zone (`BUSINESS_TIME_ZONE`): a slot rescheduled moves the orders of days to come from its date. */
  timeZone: string;
}

/**
 * The ordering read models: one projection for orders, their history, ghosts, releases and vials,
 * so the day board's sums, its ghosts and its releases are always consistent with each other.
 */
export function createOrderingProjection(options: OrderingProjectionOptions): Projection {
  const { timeZone } = options;
  return {
    name: ORDERING_PROJECTION_NAME,
    // 2: releases keep the maximum injection volume typed in at an injection release.
    // 3: injection orders keep the bookings a mass order made them for.
    // 4: a rescheduled slot's orders and ghosts of days to come follow its new time.
    // 5: orders keep every lot released to them (`lots`), not only the first.
    // 6: vials say whether they were voided, why, when and by whom.
    version: 6,
    target: 'record',
    eventTypes: orderingRecordEventTypes,
    streamPrefixes: [DELIVERY_DAY_PREFIX, vialStreamName(''), deliveryTimeSlotStreamName('')],
    tables: orderingTableDefinitions,
    async handle(event, tx) {
      const { type } = event;
      if (type === SLOT_RESCHEDULED) {
        requireSchemaVersion(event, SLOT_RESCHEDULED_VERSIONS_READ);
        const { slotId, changes } = event.data as DeliveryTimeSlotUpdatedData;
        if (changes.deliveryTime) await followRescheduledSlot(tx, event, slotId, changes.deliveryTime.to, timeZone);
        return;
      }
      if (!isOrderingEventType(type)) throw new Error(`${ORDERING_PROJECTION_NAME} does not handle ${type}`);
      requireSchemaVersion(event, [orderingEventSchemaVersions[type]]);
      noteDay(tx, event.streamId);
      const { actor, reason, signature } = event.metadata;
      const applied: AppliedEvent = {
        tx,
        type,
        streamId: event.streamId,
        position: event.position.toString(),
        revision: event.revision.toString(),
        at: businessTimeOf(event),
        actorId: actor.id,
        actorName: actor.printedName,
        reason: reason ?? null,
        signature: jsonText(signature),
      };
      const handler = handlers[type] as (data: unknown, applied: AppliedEvent) => Promise<void>;
      await handler(event.data, applied);
    },
    prepareBatch: preloadRows,
    // The history first: after a failed INSERT nothing else may be sent (see `OrderHistoryBuffer`).
    async flushBatch(tx) {
      await history.flush(tx);
      await rows.flush(tx);
    },
  };
}

/** No upcasters exist yet: a shape this version does not know must stop it, not be misread. */
function requireSchemaVersion(event: RecordedEvent, versionsRead: readonly number[]): void {
  if (!versionsRead.includes(event.metadata.schemaVersion)) {
    throw new Error(
      `${event.type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
        `${ORDERING_PROJECTION_NAME} reads version ${versionsRead.join(' or ')}`,
    );
  }
}

/**
 * The projector's instance, in the business time zone `BUSINESS_TIME_ZONE` (the variable the
 * configuration validates at boot; default Europe/Copenhagen), as the legacy projection's.
 */
export const orderingProjection: Projection = createOrderingProjection({
  timeZone: process.env.BUSINESS_TIME_ZONE || DEFAULT_BUSINESS_TIME_ZONE,
});
