import { createPool, type Pool } from 'mysql2/promise';
import {
  catalogEventSchemaVersions,
  closedDateStreamName,
  customerStreamName,
  deliveryEndpointStreamName,
  deliveryTimeSlotStreamName,
  isotopeStreamName,
  productionRunStreamName,
  tracerPermissionStreamName,
  tracerStreamName,
  type CatalogEvent,
} from '@tracershop/domain/catalog';
import { identityEventSchemaVersions, userStreamName, type UserEvent } from '@tracershop/domain/identity';
import { fold } from '@tracershop/domain/kernel';
import {
  BUSINESS_CALENDAR_STREAM,
  businessCalendarEventSchemaVersions,
  legacyEventSchemaVersions,
  legacyIdBlockStreamName,
  OLD_SYSTEM_SOURCE,
  type BusinessCalendarEvent,
  type LegacyIdBlockEvent,
  type LegacyIdTable,
} from '@tracershop/domain/legacy';
import {
  deliveryDayDecider,
  deliveryDayStreamName,
  orderingEventSchemaVersions,
  vialDecider,
  vialStreamName,
  type DeliveryDayCommand,
  type DeliveryDayEvent,
  type VialEvent,
  type VialState,
} from '@tracershop/domain/ordering';
import type { Position } from '@tracershop/event-store';
import { MYSQL_TEST_CONNECTION } from '../../../test/contract/mysql-test-database';
import { openReadModelTestBed, type ReadModelTestBed } from '../../../test/projections/read-model-test-bed';
import { createLegacyProjection } from '../legacy-projection';
import { date, endpointId } from './legacy-fixtures';

export type { Row } from '../../../test/projections/read-model-test-bed';

export type LegacyTestEvent =
  CatalogEvent | UserEvent | DeliveryDayEvent | VialEvent | LegacyIdBlockEvent | BusinessCalendarEvent;

const schemaVersions: Record<string, number> = {
  ...catalogEventSchemaVersions,
  ...identityEventSchemaVersions,
  ...orderingEventSchemaVersions,
  ...legacyEventSchemaVersions,
  ...businessCalendarEventSchemaVersions,
};

/**
 * A fresh event store and record database (migrated, so the legacy tables exist as in production)
 * with `legacy.tracershop` running on them. Events get the envelope the command pipeline writes.
 */
export interface LegacyTestBed extends ReadModelTestBed {
  /** Reads with dates as the server writes them (`0000-01-01 00:00:00` included). */
  reader: Pool;
  /** Appends each event to its stream and waits until the projection has applied them. */
  given(...events: LegacyTestEvent[]): Promise<Position>;
  /** As `given`, for events the sync made from the old system's change of a row (their `source`). */
  givenFromTheOldSystem(row: OldSystemRow, ...events: LegacyTestEvent[]): Promise<Position>;
  /**
   * Decides a command on the delivery day the bed has appended, appends the outcome, waits; returns
   * it. With `row`, the command is the sync's, made from the old system's change of that row.
   */
  decideDay(command: DeliveryDayCommand, row?: OldSystemRow): Promise<DeliveryDayEvent[]>;
  vialState(vialId: string): VialState;
  /** `SELECT *` of a table, each row as an array in column order, sorted by the given `ORDER BY` list. */
  positional(table: string, orderBy: string): Promise<unknown[][]>;
}

/** A row of the old system's tables, and what it did to it (the capture the sync made an event of). */
export interface OldSystemRow {
  table: string;
  primaryKey: string;
  operation: 'insert' | 'update' | 'delete';
}

export async function openLegacyTestBed(purpose: string, timeZone = 'Europe/Copenhagen'): Promise<LegacyTestBed> {
  const base = await openReadModelTestBed({
    purpose,
    projection: createLegacyProjection({ timeZone }),
    schemaVersionOf: (type) => {
      const version = schemaVersions[type];
      if (version === undefined) throw new Error(`No schema version for ${type}`);
      return version;
    },
    actor: { kind: 'user', id: 'user-peter', printedName: 'Peter Hansen', role: 'production' },
  });
  const reader = createPool({
    ...MYSQL_TEST_CONNECTION,
    database: base.database,
    dateStrings: true,
    connectionLimit: 2,
  });
  const history = new Map<string, LegacyTestEvent[]>();
  const appendAndWait = async (events: [streamId: string, event: LegacyTestEvent][], row?: OldSystemRow) => {
    const source = row ? { source: { system: OLD_SYSTEM_SOURCE, ...row } } : {};
    for (const [streamId, event] of events) {
      const reason = (event.data as { reason?: unknown }).reason;
      await base.appendEvents({ streamId, ...event, ...(typeof reason === 'string' ? { reason } : {}), ...source });
      history.set(streamId, [...(history.get(streamId) ?? []), event]);
    }
    await base.caughtUp();
    return base.lastPosition();
  };
  const closeBase = base.close.bind(base);

  const extras: Omit<LegacyTestBed, keyof ReadModelTestBed> = {
    reader,
    async given(...events) {
      return appendAndWait(events.map((event) => [streamOf(event), event]));
    },
    async givenFromTheOldSystem(row, ...events) {
      return appendAndWait(
        events.map((event) => [streamOf(event), event]),
        row,
      );
    },
    async decideDay(command, row) {
      const streamId = deliveryDayStreamName(command.endpointId, command.date);
      const state = fold(deliveryDayDecider, (history.get(streamId) ?? []) as DeliveryDayEvent[]);
      const events = deliveryDayDecider.decide(command, state);
      const occurredAt = bed.occurredAt;
      bed.occurredAt = command.at;
      try {
        if (events.length > 0) {
          await appendAndWait(
            events.map((event) => [streamId, event]),
            row,
          );
        }
      } finally {
        bed.occurredAt = occurredAt;
      }
      return events;
    },
    vialState(vialId) {
      return fold(vialDecider, (history.get(vialStreamName(vialId)) ?? []) as VialEvent[]);
    },
    async positional(table, orderBy) {
      const [rows] = await reader.query({
        sql: `SELECT * FROM \`${table}\` ORDER BY ${orderBy}`,
        rowsAsArray: true,
      });
      return rows as unknown[][];
    },
  };
  const bed: LegacyTestBed = Object.assign(base, extras, {
    async close() {
      await reader.end();
      await closeBase();
    },
  });
  return bed;
}

/** The stream the command side writes an event to. */
export function streamOf(event: LegacyTestEvent): string {
  const data = event.data as unknown as Record<string, string>;
  const type: string = event.type;
  if (type.startsWith('Isotope')) return isotopeStreamName(data.isotopeId);
  if (type.startsWith('TracerPermission')) return tracerPermissionStreamName(data.endpointId, data.tracerId);
  if (type.startsWith('Tracer')) return tracerStreamName(data.tracerId);
  if (type.startsWith('Customer')) return customerStreamName(data.customerId);
  if (type.startsWith('DeliveryEndpoint')) return deliveryEndpointStreamName(data.endpointId);
  if (type.startsWith('ProductionRun')) return productionRunStreamName(data.productionRunId);
  if (type.startsWith('DeliveryTimeSlot')) return deliveryTimeSlotStreamName(data.slotId);
  if (type.startsWith('Date')) return closedDateStreamName(data.date);
  if (type.startsWith('Vial')) return vialStreamName(data.vialId);
  if (type === 'LegacyIdBlockReserved') return legacyIdBlockStreamName(data.table as LegacyIdTable);
  if (type === 'BusinessDateBegan') return BUSINESS_CALENDAR_STREAM;
  if (['UserRegistered', 'UserDetailsChanged', 'RoleGranted', 'RoleRevoked', 'UserDeactivated'].includes(type)) {
    return userStreamName(data.userId);
  }
  return deliveryDayStreamName(endpointId, date);
}
