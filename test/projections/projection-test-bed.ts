import { randomBytes, randomUUID } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import type { EventStore, NewEvent, Position } from '@tracershop/event-store';
import { migrateEventStoreSchema, MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import {
  migrateProjectionDatabase,
  ProjectionEngine,
  type ProjectionEngineOptions,
  type ProjectionLogger,
  type RunnerState,
} from '../../projections/engine';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../contract/mysql-test-database';
import { COUNTED, IGNORED, type CountedData } from './counting-projection';

/** Keeps test output clean; failures are asserted through status, not read from the log. */
export const silentLogger: ProjectionLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function recordTestDatabaseName(purpose: string): string {
  return `tracershop_record_${purpose}_${randomBytes(4).toString('hex')}`;
}

export interface AppendPlan {
  count: number;
  /** Streams the events spread over, round robin. Default 10. */
  streams?: number;
  /** Every n-th event is an `Ignored` one, not handled. Default none. */
  ignoredEvery?: number;
  /** Indexes (0-based, in append order) of events the handler may be told to refuse. */
  poisonAt?: readonly number[];
  /** Distinguishes the streams of several plans in one database. */
  streamPrefix?: string;
}

export interface ProjectionTestBed {
  eventsDatabase: string;
  recordDatabase: string;
  store: MysqlEventStore;
  /** Reads and checks of the record database. */
  pool: Pool;
  /** An engine with its own pool, like another process; stopped and closed by `close()`. */
  /**
   * An engine with its own pool, like another process; stopped and closed by `close()`. Its pool
   * sends several statements per round trip like the projector's, unless `batchStatements` is false.
   */
  engine(
    options: Omit<ProjectionEngineOptions, 'eventStore' | 'databases'> & {
      eventStore?: EventStore;
      batchStatements?: boolean;
    },
  ): TestEngine;
  /** Appends `Counted` (and `Ignored`) events; returns the position of the last one. */
  append(plan: AppendPlan): Promise<Position>;
  rows(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export interface TestEngine {
  engine: ProjectionEngine;
  pool: Pool;
  /** Session ids this engine's pool opened, to kill them as a crash would. */
  sessions: Set<number>;
  states: RunnerState[];
  /** Resolves when one of this engine's runners enters `state`. */
  reaches(state: RunnerState, timeoutMs?: number): Promise<void>;
}

export async function openProjectionTestBed(purpose: string): Promise<ProjectionTestBed> {
  const eventsDatabase = testDatabaseName(purpose);
  const recordDatabase = recordTestDatabaseName(purpose);
  await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, eventsDatabase);
  await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', recordDatabase);
  const store = new MysqlEventStore({
    connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 },
    database: eventsDatabase,
  });
  const pool = createPool({ ...MYSQL_TEST_CONNECTION, database: recordDatabase, connectionLimit: 4 });
  const engines: TestEngine[] = [];
  const revisions = new Map<string, bigint>();
  let appended = 0;

  return {
    eventsDatabase,
    recordDatabase,
    store,
    pool,
    engine(options) {
      const enginePool = createPool({
        ...MYSQL_TEST_CONNECTION,
        connectionLimit: 8,
        multipleStatements: options.batchStatements ?? true,
      });
      const sessions = new Set<number>();
      enginePool.on('connection', (connection) => sessions.add(connection.threadId));
      const states: RunnerState[] = [];
      const listeners = new Set<(state: RunnerState) => void>();
      const engine = new ProjectionEngine({
        logger: silentLogger,
        lockRetryMs: 100,
        ...options,
        eventStore: options.eventStore ?? store,
        databases: { record: { pool: enginePool, database: recordDatabase } },
        onRunnerStateChange: (name, state) => {
          states.push(state);
          for (const listener of listeners) listener(state);
          options.onRunnerStateChange?.(name, state);
        },
      });
      const testEngine: TestEngine = {
        engine,
        pool: enginePool,
        sessions,
        states,
        reaches(state, timeoutMs = 10_000) {
          return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
              listeners.delete(listener);
              reject(new Error(`no runner reached ${state} within ${timeoutMs} ms (saw ${states.join(', ')})`));
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
      };
      engines.push(testEngine);
      return testEngine;
    },
    async append(plan) {
      const streamCount = plan.streams ?? 10;
      const poison = new Set(plan.poisonAt ?? []);
      const byStream = new Map<string, NewEvent[]>();
      for (let index = 0; index < plan.count; index++) {
        const streamId = `test.counter-${plan.streamPrefix ?? 'a'}${index % streamCount}`;
        const ignored = plan.ignoredEvery !== undefined && index % plan.ignoredEvery === plan.ignoredEvery - 1;
        const data: CountedData = { amount: (appended + index) % 97, ...(poison.has(index) ? { poison: true } : {}) };
        const events = byStream.get(streamId) ?? [];
        events.push(testEvent(ignored ? IGNORED : COUNTED, data));
        byStream.set(streamId, events);
      }
      appended += plan.count;
      let last: Position | null = null;
      // Streams in parallel (the store groups them into few transactions), each stream in order.
      await Promise.all(
        [...byStream].map(async ([streamId, events]) => {
          for (let start = 0; start < events.length; start += 200) {
            const result = await store.append(
              streamId,
              events.slice(start, start + 200),
              revisions.get(streamId) ?? 'no_stream',
            );
            revisions.set(streamId, result.nextExpectedRevision);
            if (!last || result.position.isAfter(last)) last = result.position;
          }
        }),
      );
      if (!last) throw new Error('nothing appended');
      return last;
    },
    async rows(sql, params = []) {
      const [rows] = await pool.query(sql, params);
      return rows as Array<Record<string, unknown>>;
    },
    async close() {
      await Promise.allSettled(engines.map(({ engine }) => engine.stop()));
      await Promise.allSettled(engines.map(({ pool: enginePool }) => enginePool.end()));
      await store.close();
      await pool.end();
      await dropTestDatabase(eventsDatabase);
      await dropTestDatabase(recordDatabase);
    },
  };
}

/** Shadow and retired tables (`<table>__v<n>_shadow`, `…_old`) left in a database. */
export async function versionedTables(pool: Pool, database: string): Promise<string[]> {
  const [rows] = await pool.query(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE '%\\_\\_v%'",
    [database],
  );
  return (rows as Array<{ name: string }>).map((row) => row.name);
}

export function testEvent(type: string, data: CountedData): NewEvent<CountedData> {
  return {
    type,
    data,
    metadata: {
      eventId: randomUUID(),
      schemaVersion: 1,
      occurredAt: '2026-11-20T07:30:00.000Z',
      recordedAt: new Date().toISOString(),
      actor: { kind: 'system', id: 'projection-test', printedName: 'Projection test', role: 'test' },
      correlationId: 'projection-test',
      causationId: 'projection-test',
    },
  };
}

/** Kills sessions on the server, as a crashed process or a dropped network would end them. */
export async function killSessions(pool: Pool, sessions: Iterable<number>): Promise<void> {
  for (const session of sessions) await pool.query('KILL ?', [session]).catch(() => undefined);
}
