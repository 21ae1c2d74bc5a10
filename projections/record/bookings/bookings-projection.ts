import {
  bookingsEventSchemaVersions,
  bookingsEventTypes,
  bookingsUpcasters,
  cancelledStatusAfter,
  procedureId,
  type BookingDetails,
  type BookingsEvent,
  type BookingsEventType,
} from '@tracershop/domain/bookings';
import type { FieldChanges } from '@tracershop/domain/catalog';
import { orderingEventSchemaVersions, type DeliveryDayEvent } from '@tracershop/domain/ordering';
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

/** Schema versions read besides the current one: a `BookingUpdated` 1 always went to `initial`. */
const earlierSchemaVersions: Partial<Record<BookingsEventType, readonly number[]>> = {
  BookingUpdated: [1],
  BookingOrdered: [1],
};

// Handlers: one per event type, each doing to its row what the decider's `evolve` does to the state.

type BookingsHandlers = {
  [T in BookingsEventType]: (data: Extract<BookingsEvent, { type: T }>['data'], applied: AppliedEvent) => Promise<void>;
};

const { bookings, locations, procedures, orders } = bookingsTables;

const handlers: BookingsHandlers = {
  BookingImported: ({ accessionNumber, status, ...details }, applied) =>
    upsert(applied, bookings, {
      accession_number: accessionNumber,
      ...bookingValues(details),
      status,
      ...noOrder,
      reason: null,
    }),
  // An ordered booking keeps its order through a re-import; one without starts over.
  BookingUpdated: ({ accessionNumber, changes, status }, applied) =>
    update(
      applied,
      bookings,
      { accession_number: accessionNumber },
      {
        ...changedBookingValues(changes, applied.type),
        status: status.to,
        ...(status.to === 'initial' ? noOrder : {}),
        reason: null,
      },
    ),
  BookingCancelled: ({ accessionNumber, reason, previousStatus }, applied) =>
    update(
      applied,
      bookings,
      { accession_number: accessionNumber },
      { status: cancelledStatusAfter(previousStatus), reason },
    ),
  BookingOrdered: ({ accessionNumber, orderId, endpointId, date, status = 'ordered' }, applied) =>
    update(
      applied,
      bookings,
      { accession_number: accessionNumber },
      {
        status,
        order_id: orderId,
        order_endpoint_id: endpointId,
        order_date: date,
        // A booking cancelled while it was ordered keeps why.
        ...(status === 'cancelled-after-order' ? {} : { reason: null }),
      },
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

/**
 * The orders made from bookings, and whether each is withdrawn: a booking's own stream does not
 * hear of its order's withdrawal, so the booking list learns it from the order's day.
 */
type OrderEventType = 'OrderPlaced' | 'OrderRejected' | 'OrderCancelled' | 'OrderReinstated';
const orderHandlers: {
  [T in OrderEventType]: (data: Extract<DeliveryDayEvent, { type: T }>['data'], applied: AppliedEvent) => Promise<void>;
} = {
  OrderPlaced: async ({ order }, applied) => {
    if (order.bookingIds.length === 0) return;
    await upsert(applied, orders, { order_id: order.orderId, withdrawn_as: null });
  },
  OrderRejected: ({ orderId }, applied) => update(applied, orders, { order_id: orderId }, { withdrawn_as: 'rejected' }),
  OrderCancelled: ({ orderId }, applied) =>
    update(applied, orders, { order_id: orderId }, { withdrawn_as: 'cancelled' }),
  OrderReinstated: ({ orderId }, applied) => update(applied, orders, { order_id: orderId }, { withdrawn_as: null }),
};
const orderEventTypes = Object.keys(orderHandlers) as OrderEventType[];
/** The streams `deliveryDayStreamName` names: orders live in their delivery day. */
const DELIVERY_DAY_STREAM_PREFIX = 'ordering.deliveryDay-';

function isOrderEventType(type: string): type is OrderEventType {
  return Object.hasOwn(orderHandlers, type);
}

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

/** What a handler of the type reads: the current schema version, and earlier ones it reads as well. */
function readableSchemaVersions(type: BookingsEventType | OrderEventType): readonly number[] {
  if (isOrderEventType(type)) return [orderingEventSchemaVersions[type]];
  return [bookingsEventSchemaVersions[type], ...(earlierSchemaVersions[type] ?? [])];
}

/**
 * Bookings, room mappings and procedure definitions: what the booking list and the mass order
 * show; and whether the orders made from bookings are withdrawn.
 */
export const bookingsProjection: Projection = {
  name: BOOKINGS_PROJECTION_NAME,
  // 2: an ordered booking keeps its order (changed- and cancelled-after-order), orders' withdrawals
  version: 2,
  target: 'record',
  eventTypes: [...bookingsEventTypes, ...orderEventTypes],
  streamPrefixes: ['bookings.', DELIVERY_DAY_STREAM_PREFIX],
  upcasters: bookingsUpcasters,
  tables: bookingsTableDefinitions,
  async handle(event, tx) {
    const { type } = event;
    if (!isBookingsEventType(type) && !isOrderEventType(type)) {
      throw new Error(`${BOOKINGS_PROJECTION_NAME} does not handle ${type}`);
    }
    // No upcasters exist yet: a newer shape than this version knows must stop it, not be misread.
    const schemaVersions = readableSchemaVersions(type);
    if (!schemaVersions.includes(event.metadata.schemaVersion)) {
      throw new Error(
        `${type} at ${event.position} has schema version ${event.metadata.schemaVersion}; ` +
          `${BOOKINGS_PROJECTION_NAME} reads version ${schemaVersions.join(' and ')}`,
      );
    }
    const applied: AppliedEvent = {
      tx,
      type,
      position: event.position.toString(),
      revision: event.revision.toString(),
      at: businessTimeOf(event),
    };
    const handler = (isOrderEventType(type) ? orderHandlers[type] : handlers[type]) as (
      data: unknown,
      applied: AppliedEvent,
    ) => Promise<void>;
    await handler(event.data, applied);
  },
};
