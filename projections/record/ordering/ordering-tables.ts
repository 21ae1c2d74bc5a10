import { maxLength } from '@tracershop/domain/catalog';

/**
 * The ordering read-model tables in the record database: orders with their history, ghost orders,
 * releases and vials. Their `ordering_` names never clash with the old system's tables (`orders`,
 * `t_orders`, `VAL` …), which the legacy projection writes under their contract names.
 *
 * Collations as in the catalogue tables: ids compare byte for byte. Stream ids, lots and vial ids
 * are ASCII by construction (encoded endpoint ids, `\w` lot tags), so their keys stay short.
 */
export const orderingTables = {
  orders: 'ordering_orders',
  orderHistory: 'ordering_order_history',
  ghosts: 'ordering_ghosts',
  releases: 'ordering_releases',
  vials: 'ordering_vials',
} as const;

export type OrderingTable = (typeof orderingTables)[keyof typeof orderingTables];

const ID = `VARCHAR(${maxLength.id}) COLLATE utf8mb4_bin`;
/** `ghost:<slotId>:<legacyOid>`: a slot id and an unsigned 32-bit number more than an id. */
const GHOST_ID = `VARCHAR(${maxLength.id + 20}) COLLATE utf8mb4_bin`;
/** `ordering.deliveryDay-<encodeURIComponent(endpointId)>:<date>` or `ordering.vial-<vialId>`. */
const STREAM_ID = 'VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin';
const LOT = 'VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin';
/** `<lot>@<fill date>T<fill time>`. */
const VIAL_ID = 'VARCHAR(130) CHARACTER SET ascii COLLATE ascii_bin';
const USER_ID = 'VARCHAR(255) COLLATE utf8mb4_bin';
const PERSON_NAME = `VARCHAR(${maxLength.longText})`;
const REASON = `VARCHAR(${maxLength.reason})`;
const LEGACY_ID = 'INT UNSIGNED';
const STATUS_CODE = `TINYINT UNSIGNED NOT NULL COMMENT 'legacy: 1 ordered, 2 accepted, 3 released, 4 rejected or cancelled'`;
/** A serialised `Position`, as in `projection_checkpoints`. */
const POSITION = 'VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** Where the row stands in the event history: the first and the latest event applied to it. */
const HISTORY_COLUMNS = `
  stream_id ${STREAM_ID} NOT NULL COMMENT 'the aggregate''s stream',
  created_position ${POSITION} NOT NULL COMMENT 'global position of the creating event',
  updated_position ${POSITION} NOT NULL COMMENT 'global position of the latest event',
  created_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt (business time) of the creating event',
  updated_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt (business time) of the latest event',
  revision BIGINT UNSIGNED NOT NULL COMMENT 'stream revision of the latest event'`;

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const orderingTableDefinitions: Readonly<Record<OrderingTable, (table: string) => string>> = {
  ordering_orders: (table) => `
    CREATE TABLE ${table} (
      order_id ${ID} NOT NULL,
      kind ENUM('activity', 'injection') NOT NULL,
      endpoint_id ${ID} NOT NULL,
      customer_id ${ID} NOT NULL,
      tracer_id ${ID} NOT NULL,
      delivery_date DATE NOT NULL,
      delivery_time TIME NOT NULL COMMENT 'activity: the ordered slot''s time; injection: the ordered time',
      slot_id ${ID} NULL COMMENT 'ordered slot; null for injection orders',
      production_run_id ${ID} NULL,
      run_number TINYINT UNSIGNED NULL,
      slot_legacy_id ${LEGACY_ID} NULL COMMENT 'deliverTimes.DTID of the ordered slot',
      active_slot_id ${ID} NULL COMMENT 'the moved-to slot, else the ordered slot',
      active_production_run_id ${ID} NULL,
      active_delivery_time TIME NULL,
      active_run_number TINYINT UNSIGNED NULL,
      active_slot_legacy_id ${LEGACY_ID} NULL,
      moved BOOLEAN NOT NULL,
      decay_factor DOUBLE NULL COMMENT 'exp(ln2 (ordered - active slot time) / half-life); 1 unless moved',
      half_life_seconds DOUBLE NULL COMMENT 'of the isotope, at placement',
      activity_mbq DOUBLE NULL COMMENT 'ordered, at the ordered slot''s time, without overhead',
      overhead_percent DOUBLE NULL COMMENT 'effective at placement',
      activity_served_mbq DOUBLE NULL COMMENT 'activity x decay_factor x (1 + overhead/100): what the active slot delivers',
      injections SMALLINT UNSIGNED NULL,
      injection_usage ENUM('human', 'animal', 'other') NULL COMMENT '\`usage\` is a reserved word in SQL',
      status ENUM('ordered', 'accepted', 'released', 'rejected', 'cancelled') NOT NULL,
      status_code ${STATUS_CODE},
      comment TEXT NULL,
      ordered_by_user_id ${USER_ID} NOT NULL,
      ordered_by_username ${PERSON_NAME} NOT NULL,
      ordered_by_name ${PERSON_NAME} NOT NULL COMMENT 'printed name at ordering',
      deadline_override_reason ${REASON} NULL COMMENT 'production ordered after the deadline',
      release_id ${ID} NULL COMMENT 'null unless released',
      lot ${LOT} NULL COMMENT 'the injection lot, or the first vial''s lot',
      lots JSON NOT NULL COMMENT 'every lot released to it, in vial order; empty unless released',
      released_by_user_id ${USER_ID} NULL,
      released_by_name ${PERSON_NAME} NULL COMMENT 'printed name at release',
      released_at DATETIME(3) NULL COMMENT 'UTC',
      booking_ids JSON NOT NULL COMMENT 'bookings the order was generated from',
      legacy_oid ${LEGACY_ID} NOT NULL COMMENT 'orders.OID or t_orders.OID',
      customer_legacy_id ${LEGACY_ID} NULL,
      tracer_legacy_id ${LEGACY_ID} NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (order_id),
      KEY order_day (delivery_date, delivery_time, order_id),
      KEY order_tracer_day (tracer_id, delivery_date, delivery_time, order_id),
      KEY order_customer_day (customer_id, delivery_date, delivery_time, order_id),
      KEY order_endpoint_day (endpoint_id, delivery_date, delivery_time, order_id),
      KEY order_stream (stream_id, active_slot_id)
    ) ${TABLE_OPTIONS}`,

  ordering_order_history: (table) => `
    CREATE TABLE ${table} (
      order_id ${ID} NOT NULL,
      position INT UNSIGNED NOT NULL COMMENT '1, 2, … within the order''s history',
      event_type VARCHAR(64) NOT NULL,
      event_position ${POSITION} NOT NULL COMMENT 'global position of the event',
      stream_revision BIGINT UNSIGNED NOT NULL,
      occurred_at DATETIME(3) NOT NULL COMMENT 'UTC; business time',
      actor_id ${USER_ID} NOT NULL,
      actor_name ${PERSON_NAME} NOT NULL COMMENT 'printed name at the time',
      reason ${REASON} NULL,
      details JSON NOT NULL COMMENT 'the event''s data without the order id: old and new values as recorded',
      signature JSON NULL COMMENT 'the signature block of a signed event',
      PRIMARY KEY (order_id, position)
    ) ${TABLE_OPTIONS}`,

  ordering_ghosts: (table) => `
    CREATE TABLE ${table} (
      ghost_id ${GHOST_ID} NOT NULL,
      legacy_oid ${LEGACY_ID} NOT NULL COMMENT 'orders.OID of the ghost row',
      endpoint_id ${ID} NOT NULL,
      customer_id ${ID} NOT NULL,
      tracer_id ${ID} NOT NULL,
      delivery_date DATE NOT NULL,
      slot_id ${ID} NOT NULL,
      production_run_id ${ID} NOT NULL,
      delivery_time TIME NOT NULL,
      run_number TINYINT UNSIGNED NOT NULL,
      slot_legacy_id ${LEGACY_ID} NULL,
      customer_legacy_id ${LEGACY_ID} NULL,
      tracer_legacy_id ${LEGACY_ID} NULL,
      status ENUM('active', 'dead') NOT NULL,
      hosted_count SMALLINT UNSIGNED NOT NULL COMMENT 'moved-in orders it hosts (withdrawn ones not counted); kept when dissolved',
      dissolved_at DATETIME(3) NULL COMMENT 'UTC',
      dissolved_because ENUM('hosts_nothing', 'slot_has_own_order') NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (ghost_id),
      KEY ghost_tracer_day (tracer_id, delivery_date, slot_id),
      KEY ghost_stream (stream_id, slot_id)
    ) ${TABLE_OPTIONS}`,

  ordering_releases: (table) => `
    CREATE TABLE ${table} (
      release_id ${ID} NOT NULL,
      kind ENUM('activity', 'injection') NOT NULL,
      endpoint_id ${ID} NOT NULL,
      customer_id ${ID} NOT NULL,
      delivery_date DATE NOT NULL,
      slot_id ${ID} NULL COMMENT 'null for injection releases',
      tracer_id ${ID} NOT NULL,
      ghost_id ${GHOST_ID} NULL COMMENT 'the ghost hosting the slot''s moved-in orders, if any',
      order_ids JSON NOT NULL,
      lot ${LOT} NULL COMMENT 'the injection lot, or the first vial''s lot',
      lots JSON NOT NULL COMMENT 'distinct lots released, in vial order',
      delivered_activity_mbq DOUBLE NULL COMMENT 'sum of the vials'' activity at fill; null for injection releases',
      max_injection_volume_ml DOUBLE NULL COMMENT 'injection releases: the largest volume one injection may take, if typed in',
      vial_ids JSON NOT NULL COMMENT 'in the order given; the first is the host''s vial',
      released_by_user_id ${USER_ID} NOT NULL,
      released_by_username ${PERSON_NAME} NOT NULL,
      released_by_name ${PERSON_NAME} NOT NULL COMMENT 'printed name at release',
      released_by_legacy_id ${LEGACY_ID} NULL COMMENT 'Users.Id',
      signature JSON NULL COMMENT 'signer, printed name, meaning, signedAt, recordHash',
      released_at DATETIME(3) NOT NULL COMMENT 'UTC',
      status ENUM('released', 'corrected') NOT NULL,
      correction_reason ${REASON} NULL,
      corrected_at DATETIME(3) NULL COMMENT 'UTC',
      corrected_by_user_id ${USER_ID} NULL,
      corrected_by_name ${PERSON_NAME} NULL,
      correction_signature JSON NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (release_id),
      KEY release_day (delivery_date, slot_id),
      KEY release_tracer_day (tracer_id, delivery_date)
    ) ${TABLE_OPTIONS}`,

  ordering_vials: (table) => `
    CREATE TABLE ${table} (
      vial_id ${VIAL_ID} NOT NULL,
      lot ${LOT} NOT NULL,
      fill_date DATE NOT NULL,
      fill_time TIME NOT NULL,
      activity_mbq DOUBLE NOT NULL COMMENT 'at fill',
      volume_ml DOUBLE NOT NULL,
      dispenser_number INT UNSIGNED NOT NULL COMMENT 'customer''s dispenser number; 99 QC, 98 rinse',
      depot_position TINYINT UNSIGNED NOT NULL,
      gross_g DOUBLE NOT NULL,
      tare_g DOUBLE NOT NULL,
      net_g DOUBLE NOT NULL,
      product VARCHAR(20) NOT NULL,
      legacy_val_id ${LEGACY_ID} NOT NULL COMMENT 'VAL.ID',
      release_id ${ID} NULL COMMENT 'null while unassigned',
      release_stream_id ${STREAM_ID} NULL COMMENT 'the delivery day that recorded the release',
      dispensed_at DATETIME(3) NOT NULL COMMENT 'UTC; business time of VialDispensed',
      void_reason ${REASON} NULL COMMENT 'why it was voided; null unless voided',
      voided_at DATETIME(3) NULL COMMENT 'UTC; null unless voided',
      voided_by_name ${PERSON_NAME} NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (vial_id),
      KEY vial_fill (fill_date, fill_time, vial_id),
      KEY vial_lot (lot),
      KEY vial_dispenser (dispenser_number, fill_date),
      KEY vial_release (release_id)
    ) ${TABLE_OPTIONS}`,
};
