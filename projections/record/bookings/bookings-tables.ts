import { bookingFieldLengths, bookingStatuses } from '@tracershop/domain/bookings';
import { maxLength } from '@tracershop/domain/catalog';

/**
 * The bookings context's read-model tables in the record database, beside the catalogue's. Codes
 * and ids compare byte for byte (`utf8mb4_bin`), as the event store compares stream names.
 */
export const bookingsTables = {
  bookings: 'bookings_bookings',
  locations: 'bookings_locations',
  procedures: 'bookings_procedures',
  orders: 'bookings_orders',
} as const;

export type BookingsTable = (typeof bookingsTables)[keyof typeof bookingsTables];

const ID = `VARCHAR(${maxLength.id}) COLLATE utf8mb4_bin`;
const code = (length: number) => `VARCHAR(${length}) COLLATE utf8mb4_bin`;
/** `encodeURIComponent(procedureCode):encodeURIComponent(endpointId)`: each character may encode to three. */
const PROCEDURE_ID = `VARCHAR(${(bookingFieldLengths.procedureCode + maxLength.id) * 3 + 1}) COLLATE utf8mb4_bin`;
const POSITION = 'VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** Where the row stands in the event history: the first and the latest event applied to it. */
const HISTORY_COLUMNS = `
  created_position ${POSITION} NOT NULL COMMENT 'global position of the creating event',
  updated_position ${POSITION} NOT NULL COMMENT 'global position of the latest event',
  created_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt (business time) of the creating event',
  updated_at DATETIME(3) NOT NULL COMMENT 'UTC; occurredAt (business time) of the latest event',
  revision BIGINT UNSIGNED NOT NULL COMMENT 'stream revision of the latest event'`;

/** Logical table name → DDL of the quoted physical name (live or shadow), as the engine wants it. */
export const bookingsTableDefinitions: Readonly<Record<BookingsTable, (table: string) => string>> = {
  bookings_bookings: (table) => `
    CREATE TABLE ${table} (
      accession_number ${code(bookingFieldLengths.accessionNumber)} NOT NULL,
      location_code ${code(bookingFieldLengths.locationCode)} NOT NULL COMMENT 'RIS room (OBR-21)',
      procedure_code ${code(bookingFieldLengths.procedureCode)} NOT NULL COMMENT 'OBR-4 identifier',
      procedure_description VARCHAR(${bookingFieldLengths.procedureDescription}) NULL,
      start_date DATE NOT NULL COMMENT 'local date of the study start',
      start_time TIME NOT NULL COMMENT 'local time of the study start',
      status ENUM(${bookingStatuses.map((status) => `'${status}'`).join(', ')}) NOT NULL
        COMMENT 'as the booking stream says; the read model adds what its order''s withdrawal makes of it',
      order_id ${ID} NULL COMMENT 'the order made from the booking, kept through a re-import or cancellation',
      order_endpoint_id ${ID} NULL,
      order_date DATE NULL,
      reason VARCHAR(${maxLength.reason}) NULL COMMENT 'why it was rejected or cancelled',${HISTORY_COLUMNS},
      PRIMARY KEY (accession_number),
      KEY booking_day (start_date, start_time, accession_number),
      KEY booking_location_day (location_code, start_date, start_time, accession_number),
      KEY booking_order (order_id)
    ) ${TABLE_OPTIONS}`,

  bookings_locations: (table) => `
    CREATE TABLE ${table} (
      location_code ${code(bookingFieldLengths.locationCode)} NOT NULL,
      endpoint_id ${ID} NULL COMMENT 'null: not mapped (any more)',${HISTORY_COLUMNS},
      PRIMARY KEY (location_code),
      KEY location_endpoint (endpoint_id, location_code)
    ) ${TABLE_OPTIONS}`,

  bookings_orders: (table) => `
    CREATE TABLE ${table} (
      order_id ${ID} NOT NULL COMMENT 'an order made from bookings',
      withdrawn_as ENUM('cancelled', 'rejected') NULL COMMENT 'null while the order is in force',${HISTORY_COLUMNS},
      PRIMARY KEY (order_id)
    ) ${TABLE_OPTIONS}`,

  bookings_procedures: (table) => `
    CREATE TABLE ${table} (
      procedure_code ${code(bookingFieldLengths.procedureCode)} NOT NULL,
      endpoint_id ${ID} NOT NULL,
      id ${PROCEDURE_ID} NOT NULL COMMENT 'procedureId(procedureCode, endpointId)',
      tracer_id ${ID} NOT NULL,
      tracer_units DOUBLE NOT NULL COMMENT 'MBq (activity tracer) or injections (injection tracer) per study',
      delay_minutes SMALLINT UNSIGNED NOT NULL COMMENT 'study start to injection',
      is_pet BOOLEAN NOT NULL,${HISTORY_COLUMNS},
      PRIMARY KEY (procedure_code, endpoint_id),
      KEY procedure_endpoint (endpoint_id, procedure_code),
      KEY procedure_tracer (tracer_id)
    ) ${TABLE_OPTIONS}`,
};
