/**
 * The live projection's tables in the record database:
 * - `live_delivery_days`, `live_day_orders`: each delivery day's state as the decider folds it
 *   (JSON), the input of the next event: the day without its orders, and each order on a row of its
 *   own, so a batch writes the orders it changed, not every order of the day again;
 * - `live_orders`, `live_ghosts`: the board rows (`LiveOrder` / `LiveGhost` as JSON) with the keys
 *   snapshots select by;
 * - `live_incidents`: each incident (`LiveIncident` as JSON), open or closed;
 * - `live_messages`: the message log the gateway resumes from and fans out, one row per message,
 *   keyed by the event's position (commit, prepare: sortable numbers) and the message's index
 *   within the event, with the event's `recordedAt` (retention is measured on it);
 * - `live_messages_horizon`: one row, the key up to which the log was pruned (`LiveLogPruner`).
 *   Only the pruner writes it; a rebuild starts it empty, as its log is whole again.
 */
export const liveTables = {
  deliveryDays: 'live_delivery_days',
  dayOrders: 'live_day_orders',
  orders: 'live_orders',
  ghosts: 'live_ghosts',
  incidents: 'live_incidents',
  messages: 'live_messages',
  horizon: 'live_messages_horizon',
} as const;

export type LiveTable = (typeof liveTables)[keyof typeof liveTables];

const ID = 'VARCHAR(160) COLLATE utf8mb4_bin';
const STREAM_ID = 'VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin';
const DATE = 'CHAR(10) CHARACTER SET ascii COLLATE ascii_bin';
const POSITION_PART = 'BIGINT NOT NULL';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';

export const liveTableDefinitions: Readonly<Record<LiveTable, (table: string) => string>> = {
  live_delivery_days: (table) => `
    CREATE TABLE ${table} (
      stream_id ${STREAM_ID} NOT NULL,
      state LONGTEXT NOT NULL COMMENT 'DeliveryDayState as JSON, without its orders (live_day_orders)',
      pos_commit ${POSITION_PART} COMMENT 'latest event applied',
      pos_prepare ${POSITION_PART},
      PRIMARY KEY (stream_id)
    ) ${TABLE_OPTIONS}`,
  live_day_orders: (table) => `
    CREATE TABLE ${table} (
      stream_id ${STREAM_ID} NOT NULL,
      order_id ${ID} NOT NULL,
      state LONGTEXT NOT NULL COMMENT 'the order in DeliveryDayState.orders, as JSON',
      PRIMARY KEY (stream_id, order_id)
    ) ${TABLE_OPTIONS}`,
  live_orders: (table) => `
    CREATE TABLE ${table} (
      order_id ${ID} NOT NULL,
      delivery_date ${DATE} NOT NULL,
      customer_id ${ID} NOT NULL,
      row_json LONGTEXT NOT NULL COMMENT 'LiveOrder',
      pos_commit ${POSITION_PART} COMMENT 'latest event that changed the row',
      pos_prepare ${POSITION_PART},
      PRIMARY KEY (order_id),
      KEY live_orders_by_date (delivery_date, order_id),
      KEY live_orders_by_customer (customer_id, delivery_date, order_id)
    ) ${TABLE_OPTIONS}`,
  live_ghosts: (table) => `
    CREATE TABLE ${table} (
      ghost_id ${ID} NOT NULL,
      delivery_date ${DATE} NOT NULL,
      customer_id ${ID} NOT NULL,
      row_json LONGTEXT NOT NULL COMMENT 'LiveGhost',
      pos_commit ${POSITION_PART},
      pos_prepare ${POSITION_PART},
      PRIMARY KEY (ghost_id),
      KEY live_ghosts_by_date (delivery_date, ghost_id)
    ) ${TABLE_OPTIONS}`,
  live_incidents: (table) => `
    CREATE TABLE ${table} (
      incident_id ${ID} NOT NULL,
      status ENUM('open', 'closed') NOT NULL,
      row_json LONGTEXT NOT NULL COMMENT 'LiveIncident',
      pos_commit ${POSITION_PART} COMMENT 'latest event that changed the row',
      pos_prepare ${POSITION_PART},
      PRIMARY KEY (incident_id),
      KEY live_incidents_by_status (status, incident_id)
    ) ${TABLE_OPTIONS}`,
  live_messages: (table) => `
    CREATE TABLE ${table} (
      pos_commit ${POSITION_PART} COMMENT 'global position of the event: commit part',
      pos_prepare ${POSITION_PART} COMMENT 'prepare part (= commit on MySQL stores)',
      seq SMALLINT UNSIGNED NOT NULL COMMENT 'index of the message among the event''s messages',
      topic VARCHAR(160) COLLATE utf8mb4_bin NOT NULL,
      position VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'serialised Position',
      type VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      payload LONGTEXT NOT NULL COMMENT 'JSON',
      recorded_at DATETIME(3) NOT NULL COMMENT 'the event''s metadata.recordedAt, UTC: retention is measured on it',
      PRIMARY KEY (pos_commit, pos_prepare, seq),
      KEY live_messages_by_topic (topic, pos_commit, pos_prepare, seq)
    ) ${TABLE_OPTIONS}`,
  live_messages_horizon: (table) => `
    CREATE TABLE ${table} (
      id TINYINT UNSIGNED NOT NULL COMMENT 'always 1',
      pos_commit ${POSITION_PART} COMMENT 'every message up to this key may have been pruned',
      pos_prepare ${POSITION_PART},
      seq INT UNSIGNED NOT NULL,
      pruned_at DATETIME(3) NOT NULL COMMENT 'UTC',
      PRIMARY KEY (id)
    ) ${TABLE_OPTIONS}`,
};

/** An instant (ISO text with any offset, or a Date) as the UTC `DATETIME(3)` literal `recorded_at` holds. */
export function utcDatetimeOf(instant: string | Date): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new Error(`${JSON.stringify(instant)} is not an instant`);
  return at.toISOString().slice(0, 23).replace('T', ' ');
}
