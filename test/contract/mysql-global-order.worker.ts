/**
 * One OS process of the global-order proof (`mysql-global-order.int.spec.ts`), run through tsx:
 * - `writer <database> <events> <concurrency> <streams>`: appends to random streams of a shared set
 *   with explicit expected revisions until `events` events are acknowledged, then reports them;
 * - `subscriber <database>`: follows $all live from the start and reports every event it saw.
 */
import { randomUUID } from 'node:crypto';
import {
  WrongExpectedVersionError,
  type ExpectedRevision,
  type NewEvent,
  type SubscriptionMessage,
} from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { MYSQL_TEST_CONNECTION } from './mysql-test-database';

/** An acknowledged append: its event ids in order and the position the store returned for the last one. */
/** How long a subscriber may take, after the writers finish, to see everything they wrote. */
const REPORT_AFTER_MS = 30_000;

export interface AckedAppend {
  eventIds: string[];
  lastPosition: string;
}

export type WorkerMessage =
  | { kind: 'caughtUp' }
  | { kind: 'written'; appends: AckedAppend[]; conflicts: number }
  | { kind: 'seen'; events: Array<[position: string, eventId: string]> }
  | { kind: 'failed'; error: string };

export type ParentMessage = { kind: 'expect'; total: number };

function send(message: WorkerMessage): Promise<void> {
  // A writer's report is large and goes out asynchronously; with its connections closed, nothing
  // else holds the event loop, and an unreferenced channel would let the process exit mid-send.
  process.channel?.ref();
  return new Promise<void>((resolve, reject) => {
    process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  }).finally(() => process.channel?.unref());
}

function newEvent(streamId: string, index: number): NewEvent {
  return {
    type: 'OrderPlaced',
    data: { streamId, index },
    metadata: {
      eventId: randomUUID(),
      schemaVersion: 1,
      occurredAt: '2026-11-20T07:30:00.000Z',
      recordedAt: '2026-11-20T07:30:01.250Z',
      actor: { kind: 'system', id: 'global-order-test', printedName: 'Global order test', role: 'test' },
      correlationId: 'global-order',
      causationId: 'global-order',
    },
  };
}

async function write(database: string, total: number, concurrency: number, streamCount: number): Promise<void> {
  const store = new MysqlEventStore({ connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 3 }, database });
  const known = new Map<string, bigint>();
  const appends: AckedAppend[] = [];
  let reserved = 0;
  let conflicts = 0;

  async function writer(): Promise<void> {
    while (reserved < total) {
      const count = Math.min(1 + Math.floor(Math.random() * 3), total - reserved);
      reserved += count;
      const streamId = `order.globalOrder-${Math.floor(Math.random() * streamCount)}`;
      for (;;) {
        const revision = known.get(streamId);
        const expected: ExpectedRevision = revision ?? 'no_stream';
        const batch = Array.from({ length: count }, (_, index) => newEvent(streamId, index));
        try {
          const result = await store.append(streamId, batch, expected);
          known.set(streamId, result.nextExpectedRevision);
          appends.push({
            eventIds: batch.map((event) => event.metadata.eventId),
            lastPosition: result.position.toString(),
          });
          break;
        } catch (error) {
          // Another writer (here or in another process) moved the stream: learn where it is and retry,
          // as the command pipeline does after reloading the stream.
          if (!(error instanceof WrongExpectedVersionError)) throw error;
          conflicts += 1;
          if (error.actual === 'no_stream') known.delete(streamId);
          else known.set(streamId, BigInt(error.actual));
        }
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: concurrency }, () => writer()));
  } finally {
    await store.close();
  }
  await send({ kind: 'written', appends, conflicts });
}

async function follow(database: string): Promise<void> {
  const store = new MysqlEventStore({ connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 2 }, database });
  const subscription = store.subscribeToAll({ fromPosition: 'start' });
  const seen: Array<[string, string]> = [];
  let expected: number | null = null;
  const stopWhenComplete = () => {
    if (expected !== null && seen.length >= expected) void subscription.close();
  };
  process.on('message', (message: ParentMessage) => {
    if (message.kind !== 'expect') return;
    expected = message.total;
    stopWhenComplete();
    // A stalled subscriber still reports what it saw, so the test fails with counts, not a timeout.
    setTimeout(() => void subscription.close(), REPORT_AFTER_MS).unref();
  });
  let reportedCaughtUp = false;
  try {
    for await (const message of subscription as AsyncIterable<SubscriptionMessage>) {
      if (message.kind === 'caughtUp' && !reportedCaughtUp) {
        reportedCaughtUp = true;
        await send({ kind: 'caughtUp' });
      }
      if (message.kind === 'event') {
        seen.push([message.event.position.toString(), message.event.metadata.eventId]);
        stopWhenComplete();
      }
    }
  } finally {
    await store.close();
  }
  await send({ kind: 'seen', events: seen });
}

async function main(): Promise<void> {
  const [role, database, ...rest] = process.argv.slice(2);
  if (role === 'writer') await write(database, Number(rest[0]), Number(rest[1]), Number(rest[2]));
  else if (role === 'subscriber') await follow(database);
  else throw new Error(`unknown role ${role}`);
}

main()
  .then(() => process.disconnect?.())
  .catch(async (error: unknown) => {
    await send({
      kind: 'failed',
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }).catch(() => undefined);
    process.exit(1);
  });
