import type { Pool } from 'mysql2/promise';
import {
  bookingStatuses,
  procedureId,
  type Booking,
  type BookingOrderReference,
  type BookingStatus,
  type Procedure,
} from '@tracershop/domain/bookings';
import { isCalendarDate, type CalendarDate } from '@tracershop/domain/catalog';
import { assertValidDatabaseName, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import type { Page, PageOptions, RecordHistory } from '../catalog/catalog-read-model';
import {
  afterKey,
  decodeCursor,
  encodeCursor,
  InvalidReadQueryError,
  orderBy,
  requirePageSize,
  type Condition,
  type SortKey,
} from '../catalog/keyset-paging';
import { bookingsTables, type BookingsTable } from './bookings-tables';

// What the API answers with: the domain's state and where it stands in history.

/** The order made from a booking, and whether it still covers the booking. */
export interface BookingOrderView extends BookingOrderReference {
  /** Null while the order is in force; how it was withdrawn once it no longer covers the booking. */
  withdrawn: 'cancelled' | 'rejected' | null;
}

/**
 * A booking and its status given its order (`bookingStatusWith`): one whose order was withdrawn
 * reads `initial` (or `cancelled`) and still names that order.
 */
export interface BookingView extends Booking, RecordHistory {
  order: BookingOrderView | null;
  /** The endpoint the booking's room is mapped to now; null while it is not mapped. */
  endpointId: string | null;
}

export interface LocationView extends RecordHistory {
  locationCode: string;
  endpointId: string | null;
}

export interface ProcedureView extends Procedure, RecordHistory {
  /** `procedureId(procedureCode, endpointId)`. */
  id: string;
}

export interface BookingListOptions extends PageOptions {
  /** The study's start date, YYYY-MM-DD. */
  date?: CalendarDate;
  /** Bookings whose room is mapped to this endpoint. */
  endpointId?: string;
  locationCode?: string;
  /** Default: every status. */
  status?: BookingStatus | 'all';
}

type Row = Record<string, unknown>;

const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) → `YYYY-MM-DDTHH:MM:SS.fffZ`. */
const instant = (value: unknown) => `${String(value).slice(0, 10)}T${String(value).slice(11, 23)}Z`;

const INSTANT_FORMAT = `'%Y-%m-%d %H:%i:%s.%f'`;
const historySelect = (alias: string) => `CAST(${alias}.revision AS CHAR) AS revision,
  ${alias}.created_position AS createdPosition, ${alias}.updated_position AS updatedPosition,
  DATE_FORMAT(${alias}.created_at, ${INSTANT_FORMAT}) AS createdAt,
  DATE_FORMAT(${alias}.updated_at, ${INSTANT_FORMAT}) AS updatedAt`;

function historyOf(row: Row): RecordHistory {
  return {
    revision: String(row.revision),
    createdPosition: String(row.createdPosition),
    updatedPosition: String(row.updatedPosition),
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
  };
}

/** `bookingStatusWith` in SQL: an order withdrawn (`o.withdrawn_as`) covers its bookings no more. */
const BOOKING_STATUS = `CASE
  WHEN o.withdrawn_as IS NULL THEN b.status
  WHEN b.status IN ('ordered', 'changed-after-order') THEN 'initial'
  WHEN b.status = 'cancelled-after-order' THEN 'cancelled'
  ELSE b.status END`;

const BOOKING_SELECT = `b.accession_number AS accessionNumber, b.location_code AS locationCode,
  b.procedure_code AS procedureCode, b.procedure_description AS procedureDescription,
  DATE_FORMAT(b.start_date, '%Y-%m-%d') AS startDate, TIME_FORMAT(b.start_time, '%H:%i') AS startTime,
  ${BOOKING_STATUS} AS status, b.order_id AS orderId, b.order_endpoint_id AS orderEndpointId,
  DATE_FORMAT(b.order_date, '%Y-%m-%d') AS orderDate, o.withdrawn_as AS orderWithdrawn, b.reason,
  l.endpoint_id AS endpointId, ${historySelect('b')}`;

function bookingOf(row: Row): BookingView {
  const orderId = text(row.orderId);
  return {
    accessionNumber: String(row.accessionNumber),
    locationCode: String(row.locationCode),
    procedureCode: String(row.procedureCode),
    procedureDescription: text(row.procedureDescription),
    startDate: String(row.startDate),
    startTime: String(row.startTime),
    status: row.status as BookingStatus,
    order:
      orderId === null
        ? null
        : {
            orderId,
            endpointId: String(row.orderEndpointId),
            date: String(row.orderDate),
            withdrawn: text(row.orderWithdrawn) as BookingOrderView['withdrawn'],
          },
    reason: text(row.reason),
    endpointId: text(row.endpointId),
    ...historyOf(row),
  };
}

const bookingSortKeys: readonly SortKey<BookingView>[] = [
  { column: 'b.start_date', type: 'string', valueOf: (booking) => booking.startDate },
  { column: 'b.start_time', type: 'string', valueOf: (booking) => booking.startTime },
  { column: 'b.accession_number', type: 'string', valueOf: (booking) => booking.accessionNumber },
];

function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidReadQueryError(`${field} must not be empty`, { field, value });
  }
  return value;
}

/**
 * Queries over the tables `record.bookings` writes. Answers are as fresh as the projection; to read a
 * command's own write, wait for its position first.
 */
export class BookingsReadModel {
  private readonly tables: Readonly<Record<BookingsTable, string>>;

  constructor(
    private readonly pool: Pool,
    database: string,
  ) {
    assertValidDatabaseName(database);
    this.tables = Object.fromEntries(
      Object.values(bookingsTables).map((table) => [table, `${quoteIdentifier(database)}.${quoteIdentifier(table)}`]),
    ) as Record<BookingsTable, string>;
  }

  /** In order of start (date, time), then accession number. */
  async listBookings(options: BookingListOptions): Promise<Page<BookingView>> {
    const limit = requirePageSize(options.limit);
    const conditions: Condition[] = [];
    if (options.date !== undefined) {
      if (!isCalendarDate(options.date)) {
        throw new InvalidReadQueryError('date must be a date YYYY-MM-DD', { field: 'date', value: options.date });
      }
      conditions.push({ sql: 'b.start_date = ?', params: [options.date] });
    }
    if (options.endpointId !== undefined) {
      conditions.push({ sql: 'l.endpoint_id = ?', params: [requireText(options.endpointId, 'endpointId')] });
    }
    if (options.locationCode !== undefined) {
      conditions.push({ sql: 'b.location_code = ?', params: [requireText(options.locationCode, 'locationCode')] });
    }
    const status = options.status ?? 'all';
    if (status !== 'all') {
      if (!bookingStatuses.includes(status)) {
        throw new InvalidReadQueryError(`status must be one of ${bookingStatuses.join(', ')}, all`, {
          field: 'status',
          value: status,
        });
      }
      conditions.push({ sql: `${BOOKING_STATUS} = ?`, params: [status] });
    }
    if (options.cursor !== undefined && options.cursor !== null) {
      conditions.push(afterKey(bookingSortKeys, decodeCursor('bookings', bookingSortKeys, options.cursor)));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.map((condition) => condition.sql).join(' AND ')}` : '';
    // One row more than asked says whether another page follows.
    const rows = await this.rows(
      `SELECT ${BOOKING_SELECT} FROM ${this.bookingsWithLocations()} ${where}
       ORDER BY ${orderBy(bookingSortKeys)} LIMIT ?`,
      [...conditions.flatMap((condition) => condition.params), limit + 1],
    );
    const items = rows.slice(0, limit).map(bookingOf);
    const more = rows.length > limit;
    return { items, nextCursor: more ? encodeCursor('bookings', bookingSortKeys, items[items.length - 1]) : null };
  }

  async getBooking(accessionNumber: string): Promise<BookingView | null> {
    const [row] = await this.rows(
      `SELECT ${BOOKING_SELECT} FROM ${this.bookingsWithLocations()} WHERE b.accession_number = ?`,
      [accessionNumber],
    );
    return row ? bookingOf(row) : null;
  }

  /** A room the worklist named and production mapped (or unmapped); null for a room never mapped. */
  async getLocation(locationCode: string): Promise<LocationView | null> {
    const [row] = await this.rows(
      `SELECT l.location_code AS locationCode, l.endpoint_id AS endpointId, ${historySelect('l')}
       FROM ${this.tables[bookingsTables.locations]} l WHERE l.location_code = ?`,
      [locationCode],
    );
    return row ? { locationCode: String(row.locationCode), endpointId: text(row.endpointId), ...historyOf(row) } : null;
  }

  /** The procedures defined at an endpoint, by procedure code. */
  async proceduresAt(endpointId: string): Promise<ProcedureView[]> {
    const rows = await this.rows(`${this.procedureSelect()} WHERE p.endpoint_id = ? ORDER BY p.procedure_code`, [
      endpointId,
    ]);
    return rows.map(procedureOf);
  }

  async getProcedure(procedureCode: string, endpointId: string): Promise<ProcedureView | null> {
    const [row] = await this.rows(`${this.procedureSelect()} WHERE p.procedure_code = ? AND p.endpoint_id = ?`, [
      procedureCode,
      endpointId,
    ]);
    return row ? procedureOf(row) : null;
  }

  private bookingsWithLocations(): string {
    return `${this.tables[bookingsTables.bookings]} b
      LEFT JOIN ${this.tables[bookingsTables.locations]} l ON l.location_code = b.location_code
      LEFT JOIN ${this.tables[bookingsTables.orders]} o ON o.order_id = b.order_id`;
  }

  private procedureSelect(): string {
    return `SELECT p.procedure_code AS procedureCode, p.endpoint_id AS endpointId, p.tracer_id AS tracerId,
      p.tracer_units AS tracerUnits, p.delay_minutes AS delayMinutes, p.is_pet AS isPet, ${historySelect('p')}
      FROM ${this.tables[bookingsTables.procedures]} p`;
  }

  private async rows(sql: string, params: unknown[]): Promise<Row[]> {
    const [rows] = await this.pool.query(sql, params);
    return rows as Row[];
  }
}

function procedureOf(row: Row): ProcedureView {
  const procedureCode = String(row.procedureCode);
  const endpointId = String(row.endpointId);
  return {
    id: procedureId(procedureCode, endpointId),
    procedureCode,
    endpointId,
    tracerId: String(row.tracerId),
    tracerUnits: Number(row.tracerUnits),
    delayMinutes: Number(row.delayMinutes),
    isPet: Boolean(Number(row.isPet)),
    ...historyOf(row),
  };
}
