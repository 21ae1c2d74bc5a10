import { randomBytes, randomUUID } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import type { Actor, EventSource, NewEvent, Position } from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import {
  migrateProjectionDatabase,
  ProjectionEngine,
  type Projection,
  type ProjectionLogger,
  type RebuildReport,
  type RunnerState,
} from '@tracershop/projections/engine';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../contract/mysql-test-database';

const silentLogger: ProjectionLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const WAIT_MS = 15_000;

export type Row = Record<string, unknown>;

/** An event as a spec writes it: its stream, type and data; the bed adds the envelope. */
export interface StreamEvent {
  streamId: string;
  type: string;
  data: unknown;
  /** Default: the context's current version of the type. */
  schemaVersion?: number;
  /** Goes into the envelope, as the pipeline puts a command's reason there. */
  reason?: string;
  /** Goes into the envelope: the imported or captured row the event was made from. */
  source?: EventSource;
}

export interface ReadModelTestBedOptions {
  /** Part of the test databases' names. */
  purpose: string;
  projection: Projection;
  schemaVersionOf(type: string): number;
  actor: Actor;
}

/**
 * A fresh event store and read-model database with one projection running on them, for
 * `given(events) → then(rows)` specs. Events get the envelope the command pipeline writes.
 */
export interface ReadModelTestBed {
  store: MysqlEventStore;
  engine: ProjectionEngine;
  database: string;
  /** Reads of the read-model database (its default database). */
  pool: Pool;
  /** Business time of the events appended next (ISO instant); `metadata.occurredAt`. */
  occurredAt: string;
  /** `metadata.actor.id` of the events appended next. */
  actorId: string;
  /** Appends each event to its stream with the expected revision, in order; returns the last position. */
  appendEvents(...events: StreamEvent[]): Promise<Position>;
  /** Position of the last event this bed appended. */
  lastPosition(): Position;
  /** Waits until the projection has applied everything appended so far. */
  caughtUp(): Promise<void>;
  /** Resolves when the runner enters `state`. */
  reaches(state: RunnerState, timeoutMs?: number): Promise<void>;
  rows(sql: string, params?: unknown[]): Promise<Row[]>;
  /**
   * Rebuilds the projection as another process would, `batchEvents` events per shadow transaction:
   * the first batch starts on empty tables, each later one on what the batches before it wrote.
   */
  rebuildInBatchesOf(batchEvents: number): Promise<RebuildReport>;
  close(): Promise<void>;
}

export async function openReadModelTestBed(options: ReadModelTestBedOptions): Promise<ReadModelTestBed> {
  const { purpose, projection } = options;
  const eventsDatabase = testDatabaseName(purpose);
  const database = `tracershop_${projection.target}_${purpose}_${randomBytes(4).toString('hex')}`;
  const store = await MysqlEventStore.open({
    connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 },
    database: eventsDatabase,
  });
  await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, projection.target, database);
  const enginePool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 8 });
  const pool = createPool({ ...MYSQL_TEST_CONNECTION, database, connectionLimit: 4 });
  const listeners = new Set<(state: RunnerState) => void>();
  const engine = new ProjectionEngine({
    eventStore: store,
    databases: { [projection.target]: { pool: enginePool, database } },
    projections: [projection],
    logger: silentLogger,
    lockRetryMs: 100,
    onRunnerStateChange: (_name, state) => listeners.forEach((listener) => listener(state)),
  });
  engine.start();

  const revisions = new Map<string, bigint>();
  let head: Position | null = null;

  const envelope = (event: StreamEvent): NewEvent => {
    const causationId = randomUUID();
    return {
      type: event.type,
      data: event.data,
      metadata: {
        eventId: randomUUID(),
        schemaVersion: event.schemaVersion ?? options.schemaVersionOf(event.type),
        occurredAt: bed.occurredAt,
        recordedAt: new Date().toISOString(),
        actor: { ...options.actor, id: bed.actorId },
        ...(event.reason !== undefined ? { reason: event.reason } : {}),
        ...(event.source !== undefined ? { source: event.source } : {}),
        correlationId: causationId,
        causationId,
      },
    };
  };

  const bed: ReadModelTestBed = {
    store,
    engine,
    database,
    pool,
    occurredAt: '2026-03-02T07:00:00.000Z',
    actorId: options.actor.id,

    async appendEvents(...events) {
      for (const event of events) {
        const expected = revisions.get(event.streamId) ?? 'no_stream';
        const result = await store.append(event.streamId, [envelope(event)], expected);
        revisions.set(event.streamId, result.nextExpectedRevision);
        head = result.position;
      }
      return bed.lastPosition();
    },

    lastPosition() {
      if (!head) throw new Error('nothing appended yet');
      return head;
    },

    async caughtUp() {
      if (head) await engine.waitForPosition(projection.name, head, WAIT_MS);
    },

    reaches(state, timeoutMs = WAIT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(listener);
          reject(new Error(`${projection.name} did not become ${state} within ${timeoutMs} ms`));
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

    async rebuildInBatchesOf(batchEvents) {
      const rebuilder = new ProjectionEngine({
        eventStore: store,
        databases: { [projection.target]: { pool: enginePool, database } },
        projections: [projection],
        logger: silentLogger,
        rebuildBatchEvents: batchEvents,
      });
      return rebuilder.rebuild(projection.name);
    },

    async close() {
      await engine.stop();
      await enginePool.end();
      await pool.end();
      await store.close();
      await dropTestDatabase(eventsDatabase);
      await dropTestDatabase(database);
    },
  };
  return bed;
}
