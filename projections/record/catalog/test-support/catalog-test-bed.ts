import { randomBytes, randomUUID } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import {
  catalogEventSchemaVersions,
  closedDateStreamName,
  customerStreamName,
  deliveryEndpointStreamName,
  deliveryTimeSlotStreamName,
  isotopeStreamName,
  nameClaimStreamName,
  productionRunStreamName,
  tracerPermissionStreamName,
  tracerStreamName,
  weeklyCloseDaysStreamName,
  type CatalogEvent,
} from '@tracershop/domain/catalog';
import { fold, type Decider } from '@tracershop/domain/kernel';
import type { NewEvent, Position } from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import {
  migrateProjectionDatabase,
  ProjectionEngine,
  type ProjectionLogger,
  type RunnerState,
} from '@tracershop/projections/engine';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../test/contract/mysql-test-database';
import { CATALOG_PROJECTION_NAME, catalogProjection } from '../catalog-projection';
import { CatalogReadModel } from '../catalog-read-model';

const silentLogger: ProjectionLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export type Row = Record<string, unknown>;

/**
 * A fresh event store and record database with `record.catalog` running on them, for
 * `given(events) → then(rows)` specs. Events get the envelope the command pipeline writes.
 */
export interface CatalogTestBed {
  store: MysqlEventStore;
  engine: ProjectionEngine;
  recordDatabase: string;
  /** Reads of the record database (its default database). */
  pool: Pool;
  readModel: CatalogReadModel;
  /** Business time of the events appended next (ISO instant); `metadata.occurredAt`. */
  occurredAt: string;
  /** Appends each event to its aggregate's stream, in the order given; returns the last position. */
  append(...events: CatalogEvent[]): Promise<Position>;
  /** Appends and waits until `record.catalog` has applied the events. */
  given(...events: CatalogEvent[]): Promise<Position>;
  /**
   * Decides a command on the state folded from what this bed appended to `streamId`, appends the
   * outcome and waits for the projection; returns the events.
   */
  decide<C, E extends CatalogEvent, S>(decider: Decider<C, E, S>, streamId: string, command: C): Promise<E[]>;
  /** The aggregate's state as its decider's `evolve` makes it from what this bed appended. */
  stateOf<E extends CatalogEvent, S>(
    decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
    streamId: string,
  ): S;
  /** Position of the last event this bed appended. */
  lastPosition(): Position;
  /** Waits until the projection has applied everything appended so far. */
  caughtUp(): Promise<void>;
  /** Resolves when the runner enters `state`. */
  reaches(state: RunnerState, timeoutMs?: number): Promise<void>;
  rows(sql: string, params?: unknown[]): Promise<Row[]>;
  close(): Promise<void>;
}

const WAIT_MS = 15_000;

export async function openCatalogTestBed(purpose: string): Promise<CatalogTestBed> {
  const eventsDatabase = testDatabaseName(purpose);
  const recordDatabase = `tracershop_record_${purpose}_${randomBytes(4).toString('hex')}`;
  const store = await MysqlEventStore.open({
    connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 },
    database: eventsDatabase,
  });
  await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', recordDatabase);
  const enginePool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 8 });
  const pool = createPool({ ...MYSQL_TEST_CONNECTION, database: recordDatabase, connectionLimit: 4 });
  const listeners = new Set<(state: RunnerState) => void>();
  const engine = new ProjectionEngine({
    eventStore: store,
    databases: { record: { pool: enginePool, database: recordDatabase } },
    projections: [catalogProjection],
    logger: silentLogger,
    lockRetryMs: 100,
    onRunnerStateChange: (_name, state) => listeners.forEach((listener) => listener(state)),
  });
  engine.start();

  const history = new Map<string, CatalogEvent[]>();
  const revisions = new Map<string, bigint>();
  let head: Position | null = null;

  const bed: CatalogTestBed = {
    store,
    engine,
    recordDatabase,
    pool,
    readModel: new CatalogReadModel(pool, recordDatabase),
    occurredAt: '2026-03-02T07:00:00.000Z',

    async append(...events) {
      for (const event of events) {
        const streamId = catalogStreamOf(event);
        const result = await store.append(
          streamId,
          [envelope(event, bed.occurredAt)],
          revisions.get(streamId) ?? 'no_stream',
        );
        revisions.set(streamId, result.nextExpectedRevision);
        history.set(streamId, [...(history.get(streamId) ?? []), event]);
        head = result.position;
      }
      if (!head) throw new Error('nothing appended yet');
      return head;
    },

    async given(...events) {
      const position = await bed.append(...events);
      await bed.caughtUp();
      return position;
    },

    async decide(decider, streamId, command) {
      const events = decider.decide(command, bed.stateOf(decider, streamId));
      for (const event of events) {
        if (catalogStreamOf(event) !== streamId) throw new Error(`${event.type} belongs to ${catalogStreamOf(event)}`);
      }
      if (events.length === 0) return events;
      // The pipeline takes the envelope's business time from the command.
      const { at } = command as { at?: unknown };
      const occurredAt = bed.occurredAt;
      if (typeof at === 'string') bed.occurredAt = at;
      try {
        await bed.given(...events);
      } finally {
        bed.occurredAt = occurredAt;
      }
      return events;
    },

    stateOf<E extends CatalogEvent, S>(
      decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
      streamId: string,
    ) {
      return fold(decider, (history.get(streamId) ?? []) as E[]);
    },

    lastPosition() {
      if (!head) throw new Error('nothing appended yet');
      return head;
    },

    async caughtUp() {
      if (head) await engine.waitForPosition(CATALOG_PROJECTION_NAME, head, WAIT_MS);
    },

    reaches(state, timeoutMs = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`${CATALOG_PROJECTION_NAME} did not become ${state} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (reached: RunnerState) => {
          if (reached !== state) return;
          clearTimeout(timer);
          listeners.delete(listener);
          resolve();
        };
        listeners.add(listener);
      });
    },

    async rows(sql, params = []) {
      const [rows] = await pool.query(sql, params);
      return rows as Row[];
    },

    async close() {
      await engine.stop();
      await enginePool.end();
      await pool.end();
      await store.close();
      await dropTestDatabase(eventsDatabase);
      await dropTestDatabase(recordDatabase);
    },
  };
  return bed;
}

/** The envelope the command pipeline writes: server-set actor and recordedAt, the command's business time. */
function envelope(event: CatalogEvent, occurredAt: string): NewEvent {
  const causationId = randomUUID();
  const reason = (event.data as { reason?: unknown }).reason;
  return {
    type: event.type,
    data: event.data,
    metadata: {
      eventId: randomUUID(),
      schemaVersion: catalogEventSchemaVersions[event.type],
      occurredAt,
      recordedAt: new Date().toISOString(),
      actor: { kind: 'user', id: 'user-catalog-admin', printedName: 'Catalogue Admin', role: 'admin' },
      ...(typeof reason === 'string' ? { reason } : {}),
      correlationId: causationId,
      causationId,
    },
  };
}

/** The stream the command side writes an event to (`<context>.<aggregate>-<id>`). */
export function catalogStreamOf(event: CatalogEvent): string {
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
  if (type.startsWith('WeeklyCloseDays')) return weeklyCloseDaysStreamName();
  if (type.startsWith('Name')) return nameClaimStreamName(data.kind as never, data.key);
  throw new Error(`No stream for ${type}`);
}
