import type { RecordedEvent } from '@tracershop/event-store';
import {
  legacyStatusCode,
  orderingEventSchemaVersions,
  orderingEventTypes,
  vialStreamName,
  type OrderingEvent,
  type OrderingEventType,
  type OrderStatus,
  type ReleasedBy,
} from '@tracershop/domain/ordering';
import type { Projection, ProjectionTransaction } from '@tracershop/projections/engine';
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

/** Every ordering event: the delivery days' orders, ghosts and releases, and the vials. */
export const orderingRecordEventTypes: readonly OrderingEventType[] = orderingEventTypes;

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

const quoted = (name: string) => `\`${name}\``;
const placeholders = (values: SqlValues) => Object.keys(values).map(() => '?');
const assignments = (values: SqlValues, separator: string) =>
  Object.keys(values)
    .map((name) => `${quoted(name)} = ?`)
    .join(separator);
/** Lists and objects are stored as JSON text; mysql2 would expand an array into a value list. */
const jsonText = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

/**
 * The row as the creating event makes it. Orders, ghosts, releases and vials are each created once
 * by their stream (the deciders are idempotent), so a second creation is a defect and stops the
 * projection on the duplicate key instead of overwriting a GMP record.
 */
async function create(applied: AppliedEvent, table: OrderingTable, values: SqlValues): Promise<void> {
  const row = {
    ...values,
    stream_id: applied.streamId,
    created_position: applied.position,
    updated_position: applied.position,
    created_at: applied.at,
    updated_at: applied.at,
    revision: applied.revision,
  };
  await applied.tx.query(
    `INSERT INTO ${applied.tx.table(table)} (${Object.keys(row).map(quoted).join(', ')})
     VALUES (${placeholders(row).join(', ')})`,
    Object.values(row),
  );
}

/** Changes an existing row; like `evolve` on an unknown order, an unknown key changes nothing. */
async function update(applied: AppliedEvent, table: OrderingTable, key: SqlValues, values: SqlValues): Promise<void> {
  const set = { ...values, updated_position: applied.position, updated_at: applied.at, revision: applied.revision };
  await applied.tx.query(
    `UPDATE ${applied.tx.table(table)} SET ${assignments(set, ', ')} WHERE ${assignments(key, ' AND ')}`,
    [...Object.values(set), ...Object.values(key)],
  );
}

const { orders, orderHistory, ghosts, releases, vials } = orderingTables;

const updateOrder = (applied: AppliedEvent, orderId: string, values: SqlValues) =>
  update(applied, orders, { order_id: orderId }, values);

/**
 * Appends the event to the order's history as the next position. Moves, releases and corrections
 * write one entry per order they list; the details keep the event's old and new values.
 */
async function recordHistory(applied: AppliedEvent, orderId: string, data: object): Promise<void> {
  const dataReason = (data as { reason?: unknown }).reason;
  const entry = {
    event_type: applied.type,
    event_position: applied.position,
    stream_revision: applied.revision,
    occurred_at: applied.at,
    actor_id: applied.actorId,
    actor_name: applied.actorName,
    reason: applied.reason ?? (typeof dataReason === 'string' ? dataReason : null),
    details: JSON.stringify(historyDetails(data)),
    signature: applied.signature,
  };
  const history = applied.tx.table(orderHistory);
  await applied.tx.query(
    `INSERT INTO ${history} (order_id, \`position\`, ${Object.keys(entry).map(quoted).join(', ')})
     SELECT ?, COALESCE(MAX(\`position\`), 0) + 1, ${placeholders(entry).join(', ')} FROM ${history} WHERE order_id = ?`,
    [orderId, ...Object.values(entry), orderId],
  );
}

const statusValues = (status: OrderStatus) => ({ status, status_code: legacyStatusCode[status] });

/** The figures an activity order's served activity is computed from; null for an unknown order. */
async function activityFigures(
  applied: AppliedEvent,
  orderId: string,
): Promise<{ activityMBq: number; decayFactor: number; overheadPercent: number } | null> {
  const rows = await applied.tx.query<Record<string, unknown>[]>(
    // As text: mysql2's parser of text-protocol DOUBLEs drops the last bits.
    `SELECT CAST(activity_mbq AS CHAR) AS activity_mbq, CAST(decay_factor AS CHAR) AS decay_factor,
       CAST(overhead_percent AS CHAR) AS overhead_percent FROM ${applied.tx.table(orders)}
     WHERE order_id = ? AND kind = 'activity'`,
    [orderId],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    activityMBq: Number(row.activity_mbq),
    decayFactor: Number(row.decay_factor),
    overheadPercent: Number(row.overhead_percent),
  };
}

/**
 * A ghost hosts the day's moved-in, not withdrawn orders of its slot. Moves, restores,
 * cancellations and reinstatements change that count; a dissolved ghost keeps its last count.
 */
async function recountHostedOrders(applied: AppliedEvent): Promise<void> {
  const { tx } = applied;
  await tx.query(
    `UPDATE ${tx.table(ghosts)} AS g SET g.hosted_count = (
       SELECT COUNT(*) FROM ${tx.table(orders)} AS o
       WHERE o.stream_id = g.stream_id AND o.active_slot_id = g.slot_id AND o.moved
         AND o.status NOT IN ('rejected', 'cancelled'))
     WHERE g.stream_id = ? AND g.status = 'active' AND g.dissolved_at IS NULL`,
    [applied.streamId],
  );
}

async function customerOfOrder(applied: AppliedEvent, orderId: string | undefined): Promise<string> {
  const rows = await applied.tx.query<Record<string, unknown>[]>(
    `SELECT customer_id FROM ${applied.tx.table(orders)} WHERE order_id = ?`,
    [orderId ?? null],
  );
  if (!rows[0]) throw new Error(`${applied.type} at ${applied.position} releases ${orderId}, an order never placed`);
  return String(rows[0].customer_id);
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
    const common = {
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
    };
    if (order.kind === 'activity') {
      await create(applied, orders, {
        ...common,
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
      });
    } else {
      await create(applied, orders, {
        ...common,
        moved: false,
        injections: order.injections,
        injection_usage: order.usage,
        // The event of an injection order carries no booking references.
        booking_ids: jsonText([]),
      });
    }
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
    update(applied, ghosts, { ghost_id: data.ghostId }, { dissolved_at: applied.at, dissolved_because: data.because }),

  DeadOrderFlagged: (data, applied) => update(applied, ghosts, { ghost_id: data.orderId }, { status: 'dead' }),

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
      vial_ids: jsonText(data.vials.map((vial) => vial.vialId)),
      ...releasedByValues(data.releasedBy),
      signature: applied.signature,
      released_at: applied.at,
      status: 'released',
    });
    for (const orderId of data.orderIds) {
      await updateOrder(applied, orderId, {
        ...statusValues('released'),
        release_id: data.releaseId,
        lot: data.vials[0]?.lot ?? null,
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
      vial_ids: jsonText([]),
      ...releasedByValues(data.releasedBy),
      signature: applied.signature,
      released_at: applied.at,
      status: 'released',
    });
    for (const orderId of data.orderIds) {
      await updateOrder(applied, orderId, {
        ...statusValues('released'),
        release_id: data.releaseId,
        lot: data.lot,
        released_by_user_id: data.releasedBy.userId,
        released_by_name: data.releasedBy.printedName,
        released_at: applied.at,
      });
      await recordHistory(applied, orderId, data);
    }
  },

  async ReleasedOrderCorrected(data, applied) {
    await update(
      applied,
      releases,
      { release_id: data.releaseId },
      {
        status: 'corrected',
        correction_reason: data.reason,
        corrected_at: applied.at,
        corrected_by_user_id: applied.actorId,
        corrected_by_name: applied.actorName,
        correction_signature: applied.signature,
      },
    );
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
    }),

  VialCorrected: (data, applied) =>
    update(
      applied,
      vials,
      { vial_id: data.vialId },
      changedColumns(vialMeasurementColumns, data.changes, applied.type),
    ),

  VialAssigned: (data, applied) =>
    update(applied, vials, { vial_id: data.vialId }, { release_id: data.releaseId, release_stream_id: data.streamId }),

  VialUnassigned: (data, applied) =>
    update(applied, vials, { vial_id: data.vialId }, { release_id: null, release_stream_id: null }),
};

/** The envelope's business time as a UTC `DATETIME(3)` literal; `recordedAt` when an import left it out. */
function businessTime(event: RecordedEvent): string {
  const instant = event.metadata.occurredAt ?? event.metadata.recordedAt;
  const parsed = new Date(instant);
  if (Number.isNaN(parsed.getTime())) throw new Error(`${event.type} at ${event.position}: bad occurredAt ${instant}`);
  return parsed.toISOString().replace('T', ' ').replace('Z', '');
}

function isOrderingEventType(type: string): type is OrderingEventType {
  return Object.hasOwn(handlers, type);
}

/**
 * The ordering read models: one projection for orders, their history, ghosts, releases and vials,
 * so the day board's sums, its ghosts and its releases are always consistent with each other.
 */
export const orderingProjection: Projection = {
  name: ORDERING_PROJECTION_NAME,
  version: 1,
  target: 'record',
  eventTypes: orderingRecordEventTypes,
  streamPrefixes: [DELIVERY_DAY_PREFIX, vialStreamName('')],
  tables: orderingTableDefinitions,
  async handle(event, tx) {
    const { type } = event;
    if (!isOrderingEventType(type)) throw new Error(`${ORDERING_PROJECTION_NAME} does not handle ${type}`);
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    const schemaVersion = orderingEventSchemaVersions[type];
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${ORDERING_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    const { actor, reason, signature } = event.metadata;
    const applied: AppliedEvent = {
      tx,
      type,
      streamId: event.streamId,
      position: event.position.toString(),
      revision: event.revision.toString(),
      at: businessTime(event),
      actorId: actor.id,
      actorName: actor.printedName,
      reason: reason ?? null,
      signature: jsonText(signature),
    };
    const handler = handlers[type] as (data: unknown, applied: AppliedEvent) => Promise<void>;
    await handler(event.data, applied);
  },
};
