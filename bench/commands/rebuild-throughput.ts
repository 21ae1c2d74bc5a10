import { randomBytes } from 'node:crypto';
import { createConnection, createPool, format, type Pool, type PoolConnection, type PoolOptions } from 'mysql2/promise';
import type { EventStore, RecordedEvent } from '@tracershop/event-store';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import {
  consoleProjectionLogger,
  migrateProjectionDatabase,
  ProjectionEngine,
  type Projection,
  type ProjectionTransaction,
  type RebuildReport,
} from '@tracershop/projections/engine';
import { CATALOG_PROJECTION_NAME, catalogProjection, catalogTables } from '@tracershop/projections/record';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { dropDatabases } from './app-processes';
import { CpuWatch, findDatabaseServerPid, type CpuShares } from './cpu-usage';

/** The pool options the projector uses for the record database (libs/platform/src/databases.ts). */
const RECORD_POOL_OPTIONS: PoolOptions = {
  ...MYSQL_TEST_CONNECTION,
  connectionLimit: 8,
  supportBigNumbers: true,
  bigNumberStrings: true,
  dateStrings: true,
  charset: 'utf8mb4',
  // As the projector's and the cli's pools: a batch opens and closes in one round trip each.
  multipleStatements: true,
};
const READ_BATCH = 1_000;

export interface RebuildRun {
  report: RebuildReport;
  /** CPU used while rebuilding, in cores: this process (the engine) and the database server. */
  cpu: CpuShares;
}

interface Timing {
  count: number;
  ms: number;
}

/** Where the wall time of an instrumented rebuild went. */
export interface RebuildProfile extends RebuildRun {
  readAll: Timing & { events: number };
  /** `handle` calls, their own JavaScript time (SQL excluded) and the statements they sent. */
  handlers: { events: number; javascriptMs: number; statements: number; sqlMs: number };
  /** Statements of the batch transactions by kind (one session at a time, so the times add up). */
  sql: Record<string, Timing>;
  /** The lock session's GET_LOCK and keep-alive checks, which run beside the batches. */
  lockSessionSql: Timing;
  /** Wall time none of the above explains: connection checkout, filtering, promise turns. */
  unaccountedMs: number;
}

/** The same `$all` read with and without what the store does to rows (JSON.parse, positions). */
export interface ReadPathCost {
  events: number;
  readAllMs: number;
  rawSelectMs: number;
}

/** The same row changes as one round trip per statement (as the handlers do now) and batched two ways. */
export interface StatementShapeCost {
  statements: number;
  /** Statements per round trip, rows per upsert. */
  perRoundTrip: number;
  oneRoundTripEachMs: number;
  multiStatementRoundTripsMs: number;
  multiRowUpsertsMs: number;
}

/** A fresh record database (migrated like the projector's), its pool, and the drop afterwards. */
async function withRecordDatabase<T>(work: (pool: Pool, database: string) => Promise<T>): Promise<T> {
  const database = `bench_cmd_rebuild_${randomBytes(4).toString('hex')}`;
  try {
    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', database);
    const pool = createPool({ ...RECORD_POOL_OPTIONS, database });
    try {
      return await work(pool, database);
    } finally {
      await pool.end();
    }
  } finally {
    await dropDatabases([database]);
  }
}

function engineFor(store: EventStore, pool: Pool, database: string, projection: Projection): ProjectionEngine {
  return new ProjectionEngine({
    eventStore: store,
    databases: { record: { pool, database } },
    projections: [projection],
    logger: consoleProjectionLogger,
  });
}

/** `rebuild('record.catalog')` as the CLI runs it, on a record database of its own. */
export async function measureRebuild(store: EventStore): Promise<RebuildRun> {
  return withRecordDatabase(async (pool, database) => {
    const engine = engineFor(store, pool, database, catalogProjection);
    const cpu = new CpuWatch({ engine: process.pid, mariadb: findDatabaseServerPid() });
    cpu.start();
    const report = await engine.rebuild(CATALOG_PROJECTION_NAME);
    return { report, cpu: cpu.stop() };
  });
}

/** The kind of a statement, from its text. */
function statementKind(sql: string): string {
  const text = sql.trimStart().slice(0, 300).toUpperCase();
  if (text.startsWith('START TRANSACTION')) return 'START TRANSACTION';
  if (text.startsWith('COMMIT')) return 'COMMIT';
  if (text.startsWith('ROLLBACK')) return 'ROLLBACK';
  if (text.includes('PROJECTION_CHECKPOINTS')) {
    if (text.includes('FOR UPDATE')) return 'checkpoint: SELECT … FOR UPDATE (lock row)';
    if (text.startsWith('UPDATE') && text.includes('EVENTS_APPLIED = EVENTS_APPLIED'))
      return 'checkpoint: UPDATE (advance)';
    return 'checkpoint: other';
  }
  if (text.includes('_LOCK(')) return 'lock session';
  if (text.startsWith('INSERT')) return 'handler: INSERT … ON DUPLICATE KEY UPDATE';
  if (text.startsWith('UPDATE')) return 'handler: UPDATE';
  return 'other (DDL, table checks, swap)';
}

class SqlTimer {
  readonly byKind: Record<string, Timing> = {};
  readonly handlerSql: Timing = { count: 0, ms: 0 };
  insideHandler = false;

  async time<T>(statement: unknown, run: () => Promise<T>): Promise<T> {
    const sql = typeof statement === 'string' ? statement : String((statement as { sql?: unknown })?.sql ?? '');
    const kind = statementKind(sql);
    const inHandler = this.insideHandler;
    const started = performance.now();
    try {
      return await run();
    } finally {
      const ms = performance.now() - started;
      const timing = (this.byKind[kind] ??= { count: 0, ms: 0 });
      timing.count += 1;
      timing.ms += ms;
      if (inHandler && kind !== 'lock session') {
        this.handlerSql.count += 1;
        this.handlerSql.ms += ms;
      }
    }
  }
}

/** The pool, and every connection taken from it, with `query` timed by statement kind. */
function timedPool(pool: Pool, timer: SqlTimer): Pool {
  const timed = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object) as unknown;
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property === 'query' || property === 'execute') {
          return (...args: unknown[]) => timer.time(args[0], () => method.apply(object, args) as Promise<unknown>);
        }
        if (property === 'getConnection') {
          return async () => timed((await method.call(object)) as PoolConnection);
        }
        return method.bind(object);
      },
    });
  return timed(pool);
}

/**
 * The same rebuild with clocks around `readAll`, every statement and every `handle` call, to say
 * where the time goes. The clocks cost a few microseconds per event; compare its events/s with
 * the plain run's.
 */
export async function profileRebuild(store: EventStore): Promise<RebuildProfile> {
  const readAll: Timing & { events: number } = { count: 0, ms: 0, events: 0 };
  const timedStore = new Proxy(store, {
    get(object, property) {
      const value = Reflect.get(object, property, object) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property !== 'readAll') return method.bind(object);
      return async (...args: unknown[]) => {
        const started = performance.now();
        const events = (await method.apply(object, args)) as RecordedEvent[];
        readAll.count += 1;
        readAll.ms += performance.now() - started;
        readAll.events += events.length;
        return events;
      };
    },
  });
  const timer = new SqlTimer();
  const handlers = { events: 0, ms: 0 };
  const timedProjection: Projection = {
    ...catalogProjection,
    async handle(event: RecordedEvent, tx: ProjectionTransaction) {
      const started = performance.now();
      timer.insideHandler = true;
      try {
        await catalogProjection.handle(event, tx);
      } finally {
        timer.insideHandler = false;
        handlers.events += 1;
        handlers.ms += performance.now() - started;
      }
    },
  };
  return withRecordDatabase(async (pool, database) => {
    const engine = engineFor(timedStore, timedPool(pool, timer), database, timedProjection);
    const cpu = new CpuWatch({ engine: process.pid, mariadb: findDatabaseServerPid() });
    cpu.start();
    const report = await engine.rebuild(CATALOG_PROJECTION_NAME);
    const cpuShares = cpu.stop();
    const { 'lock session': lockSessionSql = { count: 0, ms: 0 }, ...sql } = timer.byKind;
    const sequentialSqlMs = Object.values(sql).reduce((sum, timing) => sum + timing.ms, 0);
    const javascriptMs = handlers.ms - timer.handlerSql.ms;
    return {
      report,
      cpu: cpuShares,
      readAll,
      handlers: {
        events: handlers.events,
        javascriptMs,
        statements: timer.handlerSql.count,
        sqlMs: timer.handlerSql.ms,
      },
      sql,
      lockSessionSql,
      unaccountedMs: report.durationMs - readAll.ms - sequentialSqlMs - javascriptMs,
    };
  });
}

/** Reads `$all` in 1,000-event pages through the store, then the same rows with plain mysql2. */
export async function measureReadPath(store: EventStore, eventsDatabase: string): Promise<ReadPathCost> {
  let events = 0;
  let started = performance.now();
  let after: RecordedEvent['position'] | undefined;
  for (;;) {
    const page = await store.readAll({ fromPosition: after, maxCount: READ_BATCH });
    if (page.length === 0) break;
    events += page.length;
    after = page[page.length - 1].position;
  }
  const readAllMs = performance.now() - started;

  const connection = await createConnection({
    ...MYSQL_TEST_CONNECTION,
    database: eventsDatabase,
    supportBigNumbers: true,
    bigNumberStrings: true,
  });
  try {
    started = performance.now();
    let position = '0';
    for (;;) {
      const [rows] = await connection.query(
        `SELECT position, stream_id, revision, type, data, metadata FROM ${quoteIdentifier('events')}
         WHERE position > ? ORDER BY position LIMIT ?`,
        [position, READ_BATCH],
      );
      const page = rows as Array<{ position: string }>;
      if (page.length === 0) break;
      position = page[page.length - 1].position;
    }
    return { events, readAllMs, rawSelectMs: performance.now() - started };
  } finally {
    await connection.end();
  }
}

/**
 * What a handler's UPDATE costs as its own round trip, against the same changes sent many
 * statements per round trip (as the event store's writer sends its statements) and as multi-row
 * upserts, on a customers table like the rebuilt one (500 rows), each shape in one transaction.
 */
export async function measureStatementShapes(statements: number, perRoundTrip = 500): Promise<StatementShapeCost> {
  return withRecordDatabase(async (_pool, database) => {
    const connection = await createConnection({ ...RECORD_POOL_OPTIONS, database, multipleStatements: true });
    try {
      const table = quoteIdentifier(catalogTables.customers);
      await connection.query(catalogProjection.tables[catalogTables.customers](table));
      const columns = `id, short_name, long_name, dispenser_number, overhead_percent, emails, phone, status,
        created_position, updated_position, created_at, updated_at, revision, legacy_id`;
      /** The whole row of customer `index % 500` after change `change`. */
      const customerRow = (change: number) => {
        const customer = change % 500;
        return [
          `customer-${customer}`,
          `hospital-${customer}`,
          `Hospital ${customer}`,
          customer + 1,
          change % 100,
          '[]',
          `+45 ${30_000_000 + change}`,
          'active',
          '1',
          String(change),
          '2026-01-01 07:00:00.000',
          '2026-01-02 07:00:00.000',
          change,
          2 * (customer + 1),
        ];
      };
      await connection.query(`INSERT INTO ${table} (${columns}) VALUES ?`, [range(500).map(customerRow)]);
      const update = (change: number): [string, Array<string | number>] => {
        const [id, , , , overheadPercent, , phone, , , updatedPosition, , updatedAt, revision] = customerRow(change);
        return [
          `UPDATE ${table} SET overhead_percent = ?, phone = ?, updated_position = ?, updated_at = ?, revision = ?
           WHERE id = ?`,
          [overheadPercent, phone, updatedPosition, updatedAt, revision, id],
        ];
      };
      const inOneTransaction = async (work: () => Promise<void>) => {
        const started = performance.now();
        await connection.query('START TRANSACTION');
        await work();
        await connection.query('COMMIT');
        return performance.now() - started;
      };
      const chunks = (first: number) =>
        range(Math.ceil(statements / perRoundTrip)).map((chunk) =>
          range(Math.min(perRoundTrip, statements - chunk * perRoundTrip)).map(
            (index) => first + chunk * perRoundTrip + index,
          ),
        );

      const oneRoundTripEachMs = await inOneTransaction(async () => {
        for (let change = 0; change < statements; change++) await connection.query(...update(change));
      });
      const multiStatementRoundTripsMs = await inOneTransaction(async () => {
        for (const changes of chunks(statements)) {
          await connection.query(changes.map((change) => format(...update(change))).join(';\n'));
        }
      });
      const multiRowUpsertsMs = await inOneTransaction(async () => {
        for (const changes of chunks(2 * statements)) {
          await connection.query(
            `INSERT INTO ${table} (${columns}) VALUES ? ON DUPLICATE KEY UPDATE overhead_percent = VALUES(overhead_percent),
               phone = VALUES(phone), updated_position = VALUES(updated_position), updated_at = VALUES(updated_at),
               revision = VALUES(revision)`,
            [changes.map(customerRow)],
          );
        }
      });
      return { statements, perRoundTrip, oneRoundTripEachMs, multiStatementRoundTripsMs, multiRowUpsertsMs };
    } finally {
      await connection.end();
    }
  });
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
