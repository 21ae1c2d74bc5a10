import {
  bookingsEventSchemaVersions,
  bookingsEventTypes,
  procedureId,
  type BookingDetails,
  type BookingsEvent,
  type BookingsEventType,
} from '@tracershop/domain/bookings';
import type { FieldChanges } from '@tracershop/domain/catalog';
import { businessTimeOf, type Projection, type ProjectionTransaction } from '@tracershop/projections/engine';
import { bookingsTableDefinitions, bookingsTables, type BookingsTable } from './bookings-tables';

export const BOOKINGS_PROJECTION_NAME = 'record.bookings';

/** What every write needs to know about the event being applied. */
interface AppliedEvent {
  tx: ProjectionTransaction;
  type: string;
  position: string;
  revision: string;
  /** `occurredAt` (business time) as a UTC DATETIME literal. */
  at: string;
}

type SqlValues = Record<string, unknown>;

/** Domain field → column. `-?` makes a new booking field a compile error here until it has a column. */
const bookingColumns: { readonly [K in keyof BookingDetails]-?: string } = {
  locationCode: 'location_code',
  procedureCode: 'procedure_code',
  procedureDescription: 'procedure_description',
  startDate: 'start_date',
  startTime: 'start_time',
};

function bookingValues(details: BookingDetails): SqlValues {
  const values: SqlValues = {};
  for (const field of Object.keys(bookingColumns) as (keyof BookingDetails)[]) {
    values[bookingColumns[field]] = details[field] ?? null;
  }
  return values;
}

function changedBookingValues(changes: FieldChanges<BookingDetails>, type: string): SqlValues {
  const values: SqlValues = {};
  for (const [field, change] of Object.entries(changes) as [string, { to: unknown } | undefined][]) {
    if (!change) continue;
    const column = (bookingColumns as Record<string, string | undefined>)[field];
    // A field this version cannot store would silently diverge from the aggregate; stop instead.
    if (!column) throw new Error(`${type} changes ${field}, which ${BOOKINGS_PROJECTION_NAME} has no column for`);
    values[column] = change.to ?? null;
  }
  return values;
}

// Writes. Column names come from this file only; every value is a parameter.

const quoted = (name: string) => `\`${name}\``;
const assignments = (values: SqlValues, separator: string) =>
  Object.keys(values)
    .map((name) => `${quoted(name)} = ?`)
    .join(separator);

/** The row as the event makes it; a row that exists already keeps where it began. */
async function upsert(applied: AppliedEvent, table: BookingsTable, values: SqlValues): Promise<void> {
  const latest = { updated_position: applied.position, updated_at: applied.at, revision: applied.revision };
  const inserted = { ...values, created_position: applied.position, created_at: applied.at, ...latest };
  const replaced = { ...values, ...latest };
  await applied.tx.query(
    `INSERT INTO ${applied.tx.table(table)} (${Object.keys(inserted).map(quoted).join(', ')})
     VALUES (${Object.keys(inserted)
       .map(() => '?')
       .join(', ')})
     ON DUPLICATE KEY UPDATE ${assignments(replaced, ', ')}`,
    [...Object.values(inserted), ...Object.values(replaced)],
  );
}

/** Changes an existing row; like `evolve` on an absent aggregate, an unknown key changes nothing. */
async function update(applied: AppliedEvent, table: BookingsTable, key: SqlValues, values: SqlValues): Promise<void> {
  const set = { ...values, updated_position: applied.position, updated_at: applied.at, revision: applied.revision };
  await applied.tx.query(
    `UPDATE ${applied.tx.table(table)} SET ${assignments(set, ', ')} WHERE ${assignments(key, ' AND ')}`,
    [...Object.values(set), ...Object.values(key)],
  );
}

const noOrder = { order_id: null, order_endpoint_id: null, order_date: null };

// Handlers: one per event type, each doing to its row what the decider's `evolve` does to the state.

type BookingsHandlers = {
  [T in BookingsEventType]: (data: Extract<BookingsEvent, { type: T }>['data'], applied: AppliedEvent) => Promise<void>;
};

const { bookings, locations, procedures } = bookingsTables;

const handlers: BookingsHandlers = {
  BookingImported: ({ accessionNumber, status, ...details }, applied) =>
    upsert(applied, bookings, {
      accession_number: accessionNumber,
      ...bookingValues(details),
      status,
      ...noOrder,
      reason: null,
    }),
  BookingUpdated: ({ accessionNumber, changes, status }, applied) =>
    update(
      applied,
      bookings,
      { accession_number: accessionNumber },
      { ...changedBookingValues(changes, applied.type), status: status.to, ...noOrder, reason: null },
    ),
  BookingCancelled: ({ accessionNumber, reason }, applied) =>
    update(applied, bookings, { accession_number: accessionNumber }, { status: 'cancelled', reason }),
  BookingOrdered: ({ accessionNumber, orderId, endpointId, date }, applied) =>
    update(
      applied,
      bookings,
      { accession_number: accessionNumber },
      { status: 'ordered', order_id: orderId, order_endpoint_id: endpointId, order_date: date, reason: null },
    ),
  BookingRejected: ({ accessionNumber, reason }, applied) =>
    update(applied, bookings, { accession_number: accessionNumber }, { status: 'rejected', ...noOrder, reason }),

  LocationMapped: ({ locationCode, endpointId }, applied) =>
    upsert(applied, locations, { location_code: locationCode, endpoint_id: endpointId }),

  ProcedureDefined: (procedure, applied) => upsert(applied, procedures, procedureValues(procedure)),
  // Updates carry every value, so the row is written whole.
  ProcedureUpdated: ({ changes: _changes, ...procedure }, applied) =>
    upsert(applied, procedures, procedureValues(procedure)),
};

function procedureValues(procedure: Extract<BookingsEvent, { type: 'ProcedureDefined' }>['data']): SqlValues {
  return {
    procedure_code: procedure.procedureCode,
    endpoint_id: procedure.endpointId,
    id: procedureId(procedure.procedureCode, procedure.endpointId),
    tracer_id: procedure.tracerId,
    tracer_units: procedure.tracerUnits,
    delay_minutes: procedure.delayMinutes,
    is_pet: procedure.isPet,
  };
}

function isBookingsEventType(type: string): type is BookingsEventType {
  return Object.hasOwn(handlers, type);
}

/** Bookings, room mappings and procedure definitions: what the booking list and the mass order show. */
export const bookingsProjection: Projection = {
  name: BOOKINGS_PROJECTION_NAME,
  version: 1,
  target: 'record',
  eventTypes: bookingsEventTypes,
  streamPrefixes: ['bookings.'],
  tables: bookingsTableDefinitions,
  async handle(event, tx) {
    const { type } = event;
    if (!isBookingsEventType(type)) throw new Error(`${BOOKINGS_PROJECTION_NAME} does not handle ${type}`);
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    const schemaVersion = bookingsEventSchemaVersions[type];
    if (event.metadata.schemaVersion !== schemaVersion) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${BOOKINGS_PROJECTION_NAME} reads version ${schemaVersion}`,
      );
    }
    const applied: AppliedEvent = {
      tx,
      type,
      position: event.position.toString(),
      revision: event.revision.toString(),
      at: businessTimeOf(event),
    };
    const handler = handlers[type] as (data: unknown, applied: AppliedEvent) => Promise<void>;
    await handler(event.data, applied);
  },
};
