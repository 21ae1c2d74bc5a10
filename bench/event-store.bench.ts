import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { EventStore, NewEvent } from '@tracershop/event-store';
import { MemoryEventStore } from '@tracershop/event-store';
import { report, row, type BenchRow } from './bench-report';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const BATCH = 1000;
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);

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

/** One writer appending batches of 1,000 events to fresh streams. */
export async function batchedAppends(label: string, store: EventStore, batches = BATCHES): Promise<BenchRow> {
  const prepared = Array.from({ length: batches }, () => Array.from({ length: BATCH }, (_, i) => orderEvent(i)));
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

async function benchStore(label: string, store: EventStore, concurrency = [1, 8, 32]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const writers of concurrency) rows.push(await singleEventAppends(label, store, writers));
  rows.push(await batchedAppends(label, store));
  rows.push(await catchUpReadAll(label, store));
  for (const r of rows) console.error(`  ${r.store}: ${r.scenario}: ${r.eventsPerSecond} events/s`);
  return rows;
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  console.error(`each single-event scenario runs ${SECONDS} s; ${BATCHES} batches of ${BATCH}`);
  rows.push(...(await benchStore('memory', new MemoryEventStore())));
  report('event-store', rows, { secondsPerScenario: SECONDS, batchSize: BATCH, batches: BATCHES });
}
