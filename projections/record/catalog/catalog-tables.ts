import { maxLength } from '@tracershop/domain/catalog';

/**
 * The catalogue's read-model tables in the record database. Their snake_case names never clash
 * with the old system's tables (`Users`, `Tracers`, `deliverTimes` …), which other projections
 * write under their contract names.
 *
 * Collations: ids are compared byte for byte (`utf8mb4_bin`), as the event store compares stream
 * names, so `tracer-A` and `tracer-a` stay two rows. Unique names are `utf8mb4_bin` too: the
 * domain's name claims compare case-folded keys, so any two values the domain lets coexist also
 * differ in bytes, while an accent-insensitive collation would reject `Århus` beside `Arhus` and
 * stop the projection on legitimate history.
 */
export const catalogTables = {
  isotopes: 'catalog_isotopes',
  tracers: 'catalog_tracers',
  customers: 'catalog_customers',
  deliveryEndpoints: 'catalog_delivery_endpoints',
  productionRuns: 'catalog_production_runs',
  deliveryTimeSlots: 'catalog_delivery_time_slots',
  tracerPermissions: 'catalog_tracer_permissions',
  closedDates: 'catalog_closed_dates',
  weeklyCloseDays: 'catalog_weekly_close_days',
  orderingDeadlines: 'catalog_ordering_deadlines',
} as const;

export type CatalogTable = (typeof catalogTables)[keyof typeof catalogTables];

const ID = `VARCHAR(${maxLength.id}) COLLATE utf8mb4_bin`;
const REASON = `VARCHAR(${maxLength.reason})`;
/** A serialised `Position`: `<commit>` or `<commit>/<prepare>`, as in `projection_checkpoints`. */
const POSITION = 'VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
/** `encodeURIComponent(endpointId):encodeURIComponent(tracerId)`; `:` in an id encodes to three characters. */
const TRACER_PERMISSION_ID = `VARCHAR(${maxLength.id * 3 * 2 + 1}) COLLATE utf8mb4_bin`;
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
/** The row's id in the old system's table, carried by the creating event (libs/domain/legacy). */
const legacyId = (column: string) => `legacy_id INT UNSIGNED NOT NULL COMMENT 'legacy ${column}'`;

/** Where the row stands in the event history: the first and the latest event applied to it. */
const HISTORY_COLUMNS = `
  created_position ${POSITION} NOT NULL COMMENT 'global position of the creating event',
  updated_position ${POSITION} NOT NULL COMMENT 'global position of the latest event',
  created_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt (business time) of the creating event',
  updated_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt (business time) of the latest event',
  revision BIGINT UNSIGNED NOT NULL COMMENT 'stream revision of the latest event'`;

const LIFECYCLE_COLUMNS = `
  status ENUM('active', 'archived') NOT NULL,
  archived_reason ${REASON} NULL COMMENT 'why it was archived; null while active',${HISTORY_COLUMNS}`;

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const catalogTableDefinitions: Readonly<Record<CatalogTable, (table: string) => string>> = {
  catalog_isotopes: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      name VARCHAR(16) COLLATE utf8mb4_bin NOT NULL COMMENT 'F-18, Tc-99m',
      atomic_number SMALLINT UNSIGNED NOT NULL,
      atomic_mass SMALLINT UNSIGNED NOT NULL,
      half_life_seconds DOUBLE NOT NULL COMMENT 'fractions kept: O-15 is 122.24 s',
      metastable BOOLEAN NOT NULL,
      ${legacyId('isotopes.id')},${LIFECYCLE_COLUMNS},
      PRIMARY KEY (id),
      UNIQUE KEY isotope_name (name),
      UNIQUE KEY isotope_legacy_id (legacy_id)
    ) ${TABLE_OPTIONS}`,

  catalog_tracers: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      isotope_id ${ID} NOT NULL,
      kind ENUM('activity', 'injection') NOT NULL,
      short_name VARCHAR(${maxLength.name}) COLLATE utf8mb4_bin NOT NULL,
      clinical_name VARCHAR(${maxLength.longText}) NOT NULL,
      vial_tag VARCHAR(10) NOT NULL,
      in_use BOOLEAN NOT NULL,
      legacy JSON NULL COMMENT 'TracerLegacyAttributes: orderBlock, injections',
      ${legacyId('Tracers.id')},${LIFECYCLE_COLUMNS},
      PRIMARY KEY (id),
      UNIQUE KEY tracer_short_name (short_name),
      UNIQUE KEY tracer_legacy_id (legacy_id),
      KEY tracer_isotope (isotope_id)
    ) ${TABLE_OPTIONS}`,

  catalog_customers: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      short_name VARCHAR(${maxLength.shortText}) COLLATE utf8mb4_bin NOT NULL,
      long_name VARCHAR(50) NOT NULL,
      dispenser_number INT UNSIGNED NOT NULL,
      overhead_percent SMALLINT UNSIGNED NOT NULL,
      contact_person VARCHAR(${maxLength.name}) NULL,
      emails JSON NOT NULL COMMENT 'array of at most four addresses',
      phone VARCHAR(${maxLength.shortText}) NULL,
      billing_address VARCHAR(${maxLength.name}) NULL,
      billing_city VARCHAR(${maxLength.name}) NULL,
      billing_zip VARCHAR(${maxLength.zip}) NULL,
      legacy JSON NULL COMMENT 'CustomerLegacyAttributes: title, labelName, addressLine3, addressLine4',
      ${legacyId('Users.Id')},${LIFECYCLE_COLUMNS},
      PRIMARY KEY (id),
      UNIQUE KEY customer_short_name (short_name),
      UNIQUE KEY customer_dispenser_number (dispenser_number),
      UNIQUE KEY customer_legacy_id (legacy_id)
    ) ${TABLE_OPTIONS}`,

  catalog_delivery_endpoints: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      customer_id ${ID} NOT NULL,
      name VARCHAR(${maxLength.name}) NOT NULL,
      address VARCHAR(${maxLength.name}) NULL,
      city VARCHAR(${maxLength.name}) NULL,
      zip VARCHAR(${maxLength.zip}) NULL,
      phone VARCHAR(${maxLength.shortText}) NULL,${LIFECYCLE_COLUMNS},
      PRIMARY KEY (id),
      KEY delivery_endpoint_customer (customer_id, name, id),
      KEY delivery_endpoint_name (name, id)
    ) ${TABLE_OPTIONS}`,

  catalog_production_runs: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      tracer_id ${ID} NOT NULL,
      weekday TINYINT UNSIGNED NOT NULL COMMENT 'ISO: 1 Monday … 7 Sunday',
      production_time TIME NOT NULL,
      run_number TINYINT UNSIGNED NOT NULL,
      max_activity_mbq DOUBLE NULL,
      ${legacyId('productionTimes.PTID')},${LIFECYCLE_COLUMNS},
      PRIMARY KEY (id),
      UNIQUE KEY production_run_schedule (tracer_id, weekday, production_time),
      UNIQUE KEY production_run_legacy_id (legacy_id),
      KEY production_run_week (weekday, production_time, id)
    ) ${TABLE_OPTIONS}`,

  catalog_delivery_time_slots: (table) => `
    CREATE TABLE ${table} (
      id ${ID} NOT NULL,
      endpoint_id ${ID} NOT NULL,
      production_run_id ${ID} NOT NULL,
      weekday TINYINT UNSIGNED NOT NULL COMMENT 'copied from the production run',
      delivery_time TIME NOT NULL,
      weekly_repeat ENUM('every', 'even', 'odd') NOT NULL COMMENT 'ISO week numbers the slot runs in',
      max_activity_mbq DOUBLE NULL,
      expiry_date DATE NULL COMMENT 'delivers on dates strictly before it',
      ${legacyId('deliverTimes.DTID')},${LIFECYCLE_COLUMNS},
      PRIMARY KEY (id),
      UNIQUE KEY delivery_time_slot_schedule (endpoint_id, delivery_time, production_run_id),
      UNIQUE KEY delivery_time_slot_legacy_id (legacy_id),
      KEY delivery_time_slot_endpoint (endpoint_id, weekday, delivery_time, id),
      KEY delivery_time_slot_production_run (production_run_id, delivery_time, id),
      KEY delivery_time_slot_week (weekday, delivery_time, id)
    ) ${TABLE_OPTIONS}`,

  catalog_tracer_permissions: (table) => `
    CREATE TABLE ${table} (
      endpoint_id ${ID} NOT NULL,
      tracer_id ${ID} NOT NULL,
      id ${TRACER_PERMISSION_ID} NOT NULL COMMENT 'tracerPermissionId(endpointId, tracerId)',
      overhead_percent SMALLINT UNSIGNED NULL COMMENT 'overrides the customer''s overhead',
      max_injections SMALLINT UNSIGNED NULL,
      ${legacyId('TracerCustomer.ID')},
      status ENUM('granted', 'revoked') NOT NULL,
      revoked_reason ${REASON} NULL COMMENT 'why it was revoked; null while granted',${HISTORY_COLUMNS},
      PRIMARY KEY (endpoint_id, tracer_id),
      UNIQUE KEY tracer_permission_legacy_id (legacy_id),
      KEY tracer_permission_tracer (tracer_id, endpoint_id)
    ) ${TABLE_OPTIONS}`,

  catalog_closed_dates: (table) => `
    CREATE TABLE ${table} (
      date DATE NOT NULL,
      status ENUM('closed', 'reopened') NOT NULL,
      reason ${REASON} NOT NULL COMMENT 'of the latest close or reopen',
      ${legacyId('blockDeliverDate.BDID')},${HISTORY_COLUMNS},
      PRIMARY KEY (date),
      UNIQUE KEY closed_date_legacy_id (legacy_id)
    ) ${TABLE_OPTIONS}`,

  catalog_weekly_close_days: (table) => `
    CREATE TABLE ${table} (
      scope VARCHAR(64) COLLATE utf8mb4_bin NOT NULL COMMENT 'shop: one setting for the whole shop',
      mask TINYINT UNSIGNED NOT NULL COMMENT 'bit 0 Monday … bit 6 Sunday',
      reason ${REASON} NOT NULL COMMENT 'of the latest change',${HISTORY_COLUMNS},
      PRIMARY KEY (scope)
    ) ${TABLE_OPTIONS}`,

  /** The deadlines production set; a kind without a row keeps the deployment's configured deadline. */
  catalog_ordering_deadlines: (table) => `
    CREATE TABLE ${table} (
      kind ENUM('activity', 'injection') NOT NULL COMMENT 'activity orders or injection orders',
      deadline_kind ENUM('daily', 'weekly') NOT NULL COMMENT 'daily: the day before; weekly: back to the weekday',
      weekday TINYINT UNSIGNED NULL COMMENT 'weekly: 1 Monday … 7 Sunday',
      deadline_time CHAR(5) CHARACTER SET ascii NOT NULL COMMENT 'HH:MM, local business time',
      reason ${REASON} NOT NULL COMMENT 'of the latest change',${HISTORY_COLUMNS},
      PRIMARY KEY (kind)
    ) ${TABLE_OPTIONS}`,
};

/** `shop` for `catalog.weeklyCloseDays-shop`: streams are `<context>.<aggregate>-<id>`, and the id names the scope. */
export function weeklyCloseDaysScope(streamId: string): string {
  return streamId.slice(streamId.indexOf('-') + 1);
}
