import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createConnection, format, type Connection, type ConnectionOptions } from 'mysql2/promise';
import type { EventStore, NewEvent } from '@tracershop/event-store';
import { chainEvents, checkNewEvents } from '@tracershop/event-store/append-preparation';
import { MemoryEventStore } from '@tracershop/event-store';
import { EsdbEventStore } from '@tracershop/event-store/adapters/esdb';
import { MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { startEsdbWireServer } from '../test/esdb-wire/esdb-wire-server';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../test/contract/mysql-test-database';
import { report, row, type BenchRow } from './bench-report';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
/** `BENCH_STORES=mysql,memory` runs a subset (all by default). */
const STORES = new Set((process.env.BENCH_STORES ?? 'mysql,memory,esdb').split(','));

/** A typical order event: a few hundred bytes of data and the full envelope. */
export function orderEvent(index: number): NewEvent {
  return {
    type: 'OrderPlaced',
    data: {
      orderId: randomUUID(),
      customerId: 'cust-12',
      endpointId: 'ep-3',
      tracer: 'FDG',
      slotId: 'slot-0730',
      deliveryDate: '2026-11-23',
      activityMBq: 1200 + (index % 500),
      comment: 'Ordered for the 07:30 delivery',
    },
    metadata: {
      eventId: randomUUID(),
      schemaVersion: 1,
      occurredAt: '2026-11-22T06:00:00.000Z',
      recordedAt: new Date().toISOString(),
      actor: { kind: 'user', id: 'user-17', printedName: 'Anna Jensen', role: 'shop' },
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

/** `writers` concurrent writers, each appending one event at a time to its own stream with an expected revision. */
export async function singleEventAppends(label: string, store: EventStore, writers: number): Promise<BenchRow> {
  const latencies: number[] = [];
  const tag = randomUUID().slice(0, 8);
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const stream = `bench.single${tag}-${writer}`;
      let expected: bigint | 'no_stream' = 'no_stream';
      while (performance.now() < deadline) {
        const before = performance.now();
        const result = await store.append(stream, [orderEvent(count)], expected);
        latencies.push(performance.now() - before);
        expected = result.nextExpectedRevision;
        count += 1;
      }
    }),
  );
  return row(
    label,
    `single-event appends, ${writers} writer${writers === 1 ? '' : 's'}`,
    count,
    (performance.now() - started) / 1000,
    latencies,
  );
}

function batchesOfOrderEvents(batches: number): NewEvent[][] {
  return Array.from({ length: batches }, () => Array.from({ length: BATCH }, (_, i) => orderEvent(i)));
}

/** One writer appending batches of 1,000 events to fresh streams. */
export async function batchedAppends(
  label: string,
  store: EventStore,
  prepared = batchesOfOrderEvents(BATCHES),
): Promise<BenchRow> {
  const batches = prepared.length;
  const latencies: number[] = [];
  const tag = randomUUID().slice(0, 8);
  const started = performance.now();
  for (let i = 0; i < batches; i++) {
    const before = performance.now();
    await store.append(`bench.batch${tag}-${i}`, prepared[i], 'no_stream');
    latencies.push(performance.now() - before);
  }
  const result = row(
    label,
    `batched appends (${BATCH} events per append)`,
    batches * BATCH,
    (performance.now() - started) / 1000,
    latencies,
  );
  return { ...result, note: 'latency is per 1,000-event append' };
}

/** Catch-up read of $all from the start until the subscription reports it has caught up. */
export async function catchUpReadAll(label: string, store: EventStore): Promise<BenchRow> {
  const started = performance.now();
  let count = 0;
  const subscription = store.subscribeToAll({ fromPosition: 'start' });
  for await (const message of subscription) {
    if (message.kind === 'event') count += 1;
    if (message.kind === 'caughtUp') break;
  }
  await subscription.close();
  return row(label, 'catch-up read of $all', count, (performance.now() - started) / 1000);
}

/** A row with the CPU time this process spent per event (the store's client side, plus the bench's own work). */
export type EventStoreRow = BenchRow & { clientCpuUsPerEvent?: number };

/** Runs a scenario and notes the CPU time this process spent on it per event. */
async function withClientCpu(scenario: () => Promise<BenchRow>): Promise<EventStoreRow> {
  const before = process.cpuUsage();
  const result = await scenario();
  return withCpuNote(result, process.cpuUsage(before));
}

function withCpuNote(result: BenchRow, used: NodeJS.CpuUsage): EventStoreRow {
  const perEvent = result.events > 0 ? Math.round((used.user + used.system) / result.events) : 0;
  const cpuNote = `client CPU ${perEvent} µs/event`;
  console.error(`  ${result.store}: ${result.scenario}: ${result.eventsPerSecond} events/s, ${cpuNote}`);
  return { ...result, clientCpuUsPerEvent: perEvent, note: [result.note, cpuNote].filter(Boolean).join('; ') };
}

async function benchStore(
  label: string,
  store: EventStore,
  batches = batchesOfOrderEvents(BATCHES),
): Promise<EventStoreRow[]> {
  const rows: EventStoreRow[] = [];
  for (const writers of [1, 8, 32]) rows.push(await withClientCpu(() => singleEventAppends(label, store, writers)));
  rows.push(await withClientCpu(() => batchedAppends(label, store, batches)));
  rows.push(await withClientCpu(() => catchUpReadAll(label, store)));
  return rows;
}

/**
 * The physical limit for the batched scenario: the events the store wrote there, serialised and
 * chained as the store does it, as SQL text built beforehand (off the clock), sent by plain mysql2
 * as one multi-row INSERT of 1,000 rows per statement, autocommit, into a copy of the events table.
 */
async function rawMultiRowInsert(database: string, batches: NewEvent[][]): Promise<EventStoreRow> {
  // Text without parameters goes out as it is, not scanned for placeholders first.
  const connection = await createConnection({
    ...MYSQL_TEST_CONNECTION,
    database,
    queryFormat: ((sql: string, values: unknown) =>
      Array.isArray(values) && values.length > 0 ? format(sql, values) : sql) as ConnectionOptions['queryFormat'],
  });
  try {
    const table = `${quoteIdentifier(database)}.${quoteIdentifier('raw_events')}`;
    // LIKE copies the columns and every index (not the triggers, which only guard UPDATE and DELETE).
    await connection.query(`CREATE TABLE ${table} LIKE ${quoteIdentifier(database)}.${quoteIdentifier('events')}`);
    const tag = randomUUID().slice(0, 8);
    let position = 0;
    const statements = batches.map((batch, b) => {
      const params = chainEvents(checkNewEvents(batch), null).flatMap((event, revision) => [
        position++,
        `bench.raw${tag}-${b}`,
        revision,
        event.eventId,
        event.type,
        event.dataJson,
        event.metadataJson,
        event.metadata.hash,
        event.metadata.prevHash,
        event.metadata.schemaVersion,
      ]);
      const tuples = Array.from({ length: batch.length }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))');
      return format(
        `INSERT INTO ${table} (position, stream_id, revision, event_id, type, data, metadata, hash, prev_hash,
         schema_version, recorded_at) VALUES ${tuples.join(', ')}`,
        params,
      );
    });
    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const sql of statements) {
      const before = performance.now();
      await connection.query(sql);
      latencies.push(performance.now() - before);
    }
    const result = row(
      'mysql2 raw',
      `multi-row INSERT (${BATCH} rows per statement, autocommit)`,
      batches.length * BATCH,
      (performance.now() - started) / 1000,
      latencies,
    );
    return withCpuNote({ ...result, note: 'physical limit: SQL text built beforehand' }, process.cpuUsage(cpuBefore));
  } finally {
    await connection.end();
  }
}

interface ServerSettings {
  version: string;
  innodb_flush_log_at_trx_commit: number;
  sync_binlog: number;
  log_bin: boolean;
}

/** The server's version and durability settings, left as they are (the targets are for the defaults). */
async function serverSettings(): Promise<ServerSettings> {
  const connection: Connection = await createConnection(MYSQL_TEST_CONNECTION);
  try {
    const [rows] = await connection.query(
      `SELECT VERSION() AS version, @@innodb_flush_log_at_trx_commit AS flush, @@sync_binlog AS sync_binlog,
       @@log_bin AS log_bin`,
    );
    const [settings] = rows as Array<{ version: string; flush: unknown; sync_binlog: unknown; log_bin: unknown }>;
    return {
      version: settings.version,
      innodb_flush_log_at_trx_commit: Number(settings.flush),
      sync_binlog: Number(settings.sync_binlog),
      log_bin: Number(settings.log_bin) === 1,
    };
  } finally {
    await connection.end();
  }
}

/** The MySQL store in a database of its own, dropped afterwards whatever happens. */
async function benchMysql(context: Record<string, unknown>): Promise<EventStoreRow[]> {
  const database = testDatabaseName('bench');
  let dropped: Promise<void> | null = null;
  const drop = () => (dropped ??= dropTestDatabase(database));
  // An interrupted run must not leave its database behind either.
  const onSignal = () => void drop().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let store: MysqlEventStore | null = null;
  try {
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
    context.mysqlServer = await serverSettings();
    const batches = batchesOfOrderEvents(BATCHES);
    const rows = await benchStore('mysql', store, batches);
    rows.push(await rawMultiRowInsert(database, batches));
    return rows;
  } finally {
    await store?.close();
    await drop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The EventStoreDB adapter against the in-process wire test server: informative only. */
async function benchEsdb(): Promise<EventStoreRow[]> {
  const server = await startEsdbWireServer();
  const store = new EsdbEventStore(server.url);
  try {
    const rows = await benchStore('esdb (wire server)', store);
    return rows.map((r) => ({ ...r, note: `test server in this process; ${r.note ?? ''}` }));
  } finally {
    await store.close();
    await server.close();
  }
}

/** What the issue asks of the MySQL store, next to what this run reached (never asserted). */
function targets(rows: BenchRow[]): Record<string, unknown> {
  const find = (store: string, scenario: string) =>
    rows.find((r) => r.store === store && r.scenario.startsWith(scenario))?.eventsPerSecond;
  const single32 = find('mysql', 'single-event appends, 32 writers');
  const batched = find('mysql', 'batched appends');
  const raw = find('mysql2 raw', 'multi-row INSERT');
  return {
    mysqlSingleEventAppendsAt32Writers: { target: 10_000, reached: single32 ?? null },
    mysqlBatchedShareOfRawInsert: {
      target: 0.5,
      reached: batched !== undefined && raw ? Math.round((batched / raw) * 100) / 100 : null,
    },
  };
}

export async function run(): Promise<void> {
  const rows: EventStoreRow[] = [];
  const context: Record<string, unknown> = { secondsPerScenario: SECONDS, batchSize: BATCH, batches: BATCHES };
  console.error(`each single-event scenario runs ${SECONDS} s; ${BATCHES} batches of ${BATCH}`);
  if (STORES.has('mysql')) rows.push(...(await benchMysql(context)));
  if (STORES.has('memory')) rows.push(...(await benchStore('memory', new MemoryEventStore())));
  if (STORES.has('esdb')) rows.push(...(await benchEsdb()));
  report('event-store', rows, { ...context, targets: targets(rows) });
}
