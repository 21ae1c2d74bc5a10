import type { RecordedEvent } from '@tracershop/event-store';
import {
  deliveryDayDecider,
  orderingEventSchemaVersions,
  type DeliveryDayEvent,
  type DeliveryDayState,
} from '@tracershop/domain/ordering';
import type { Projection, ProjectionTransaction } from '@tracershop/projections/engine';
import { DELIVERY_DAY_STREAM_PREFIX, foldLiveChanges, messagesOf } from './live-rows';
import { liveTableDefinitions, liveTables } from './live-tables';

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

const handled = new Set<string>(liveDashboardEventTypes);

async function loadDay(tx: ProjectionTransaction, streamId: string): Promise<DeliveryDayState> {
  const rows = await tx.query<Array<{ state: string }>>(
    `SELECT state FROM ${tx.table(liveTables.deliveryDays)} WHERE stream_id = ?`,
    [streamId],
  );
  return rows[0] ? (JSON.parse(rows[0].state) as DeliveryDayState) : deliveryDayDecider.initialState();
}

/**
 * The dashboards' live rows and their message log. Each delivery-day event is folded with the
 * decider's `evolve` into the day's state; the orders and ghosts whose row changed are written,
 * and one `order.updated` / `ghost.updated` message per changed row is logged for the production
 * day and for the customer, all in the batch's transaction with the checkpoint. The api's gateway
 * reads only this log: nothing is announced that was not stored, and a client resumes from it.
 */
export const liveDashboardsProjection: Projection = {
  name: LIVE_DASHBOARDS_PROJECTION_NAME,
  version: 1,
  target: 'record',
  eventTypes: liveDashboardEventTypes,
  streamPrefixes: [DELIVERY_DAY_STREAM_PREFIX],
  tables: liveTableDefinitions,
  async handle(event: RecordedEvent, tx: ProjectionTransaction) {
    if (!handled.has(event.type)) throw new Error(`${LIVE_DASHBOARDS_PROJECTION_NAME} does not handle ${event.type}`);
    const type = event.type as DeliveryDayEvent['type'];
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    if (event.metadata.schemaVersion !== orderingEventSchemaVersions[type]) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${LIVE_DASHBOARDS_PROJECTION_NAME} reads version ${orderingEventSchemaVersions[type]}`,
      );
    }
    const before = await loadDay(tx, event.streamId);
    const { state, changes } = foldLiveChanges(before, { type, data: event.data } as DeliveryDayEvent);
    const commit = event.position.commit.toString();
    const prepare = event.position.prepare.toString();
    await tx.query(
      `INSERT INTO ${tx.table(liveTables.deliveryDays)} (stream_id, state, pos_commit, pos_prepare) VALUES (?, ?, ?, ?)
       ON DUPLICATE KEY UPDATE state = VALUES(state), pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
      [event.streamId, JSON.stringify(state), commit, prepare],
    );
    for (const order of changes.orders) {
      await tx.query(
        `INSERT INTO ${tx.table(liveTables.orders)} (order_id, delivery_date, customer_id, row_json, pos_commit, pos_prepare)
         VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE delivery_date = VALUES(delivery_date), customer_id = VALUES(customer_id),
           row_json = VALUES(row_json), pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
        [order.orderId, order.deliveryDate, order.customerId, JSON.stringify(order), commit, prepare],
      );
    }
    for (const ghost of changes.ghosts) {
      await tx.query(
        `INSERT INTO ${tx.table(liveTables.ghosts)} (ghost_id, delivery_date, customer_id, row_json, pos_commit, pos_prepare)
         VALUES (?, ?, ?, ?, ?, ?)
         ON DUPLICATE KEY UPDATE delivery_date = VALUES(delivery_date), customer_id = VALUES(customer_id),
           row_json = VALUES(row_json), pos_commit = VALUES(pos_commit), pos_prepare = VALUES(pos_prepare)`,
        [ghost.ghostId, ghost.deliveryDate, ghost.customerId, JSON.stringify(ghost), commit, prepare],
      );
    }
    const messages = messagesOf(changes);
    if (messages.length === 0) return;
    const position = event.position.toString();
    await tx.query(
      `INSERT INTO ${tx.table(liveTables.messages)} (pos_commit, pos_prepare, seq, topic, position, type, payload)
       VALUES ${messages.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      messages.flatMap((message, seq) => [
        commit,
        prepare,
        seq,
        message.topic,
        position,
        message.type,
        JSON.stringify(message.payload),
      ]),
    );
  },
};
