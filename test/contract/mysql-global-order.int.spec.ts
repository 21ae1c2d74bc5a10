import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { migrateEventStoreSchema, MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from './mysql-test-database';
import type { AckedAppend, ParentMessage, WorkerMessage } from './mysql-global-order.worker';

const WRITER_PROCESSES = 4;
const WRITERS_PER_PROCESS = 8;
const TOTAL_EVENTS = 20_000;
const SUBSCRIBER_PROCESSES = 2;
/** Few enough streams that writers collide on expected revisions, across processes too. */
const STREAMS = 200;
const WORKER = join(__dirname, 'mysql-global-order.worker.ts');

function start(args: string[]): ChildProcess {
  return fork(WORKER, args, {
    execArgv: ['--import', 'tsx'],
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next message of `kind` from a worker; a failure report or an early exit rejects. */
function next<K extends WorkerMessage['kind']>(
  child: ChildProcess,
  kind: K,
): Promise<Extract<WorkerMessage, { kind: K }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.kind === 'failed') finish(() => reject(new Error(`worker failed: ${message.error}`)));
      else if (message.kind === kind) finish(() => resolve(message as Extract<WorkerMessage, { kind: K }>));
    };
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`worker exited with ${code} before sending ${kind}`)));
    const finish = (settle: () => void) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      settle();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

describe('MySQL global order under concurrent appends from several processes', () => {
  const database = testDatabaseName('order');
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill();
    await dropTestDatabase(database);
  });

  it('every subscriber sees every acknowledged event exactly once, at gap-free increasing positions', async () => {
    await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, database);

    const subscribers = Array.from({ length: SUBSCRIBER_PROCESSES }, () => start(['subscriber', database]));
    children.push(...subscribers);
    const seenPromises = subscribers.map((child) => next(child, 'seen'));
    // Awaited below; a subscriber failing early must not count as an unhandled rejection meanwhile.
    for (const promise of seenPromises) promise.catch(() => undefined);
    await Promise.all(subscribers.map((child) => next(child, 'caughtUp')));

    const started = Date.now();
    const perProcess = TOTAL_EVENTS / WRITER_PROCESSES;
    const writers = Array.from({ length: WRITER_PROCESSES }, () =>
      start(['writer', database, String(perProcess), String(WRITERS_PER_PROCESS), String(STREAMS)]),
    );
    children.push(...writers);
    const written = await Promise.all(writers.map((child) => next(child, 'written')));
    const writeMs = Date.now() - started;

    const appends: AckedAppend[] = written.flatMap((report) => report.appends);
    const acked = appends.flatMap((append) => append.eventIds);
    expect(acked).toHaveLength(TOTAL_EVENTS);
    expect(new Set(acked).size).toBe(TOTAL_EVENTS);

    for (const child of subscribers) child.send({ kind: 'expect', total: acked.length } satisfies ParentMessage);
    const reports = await Promise.all(seenPromises);
    const followMs = Date.now() - started;

    const store = new MysqlEventStore({ connection: MYSQL_TEST_CONNECTION, database });
    const head = await store.headPosition();
    await store.close();
    // Nothing was written beyond what was acknowledged (failed appends write nothing).
    expect(head?.toString()).toBe(String(TOTAL_EVENTS - 1));

    const lastOfAppend = new Map(appends.map((append) => [append.eventIds[append.eventIds.length - 1], append]));
    const ackedSet = new Set(acked);
    for (const report of reports) {
      expect(report.events).toHaveLength(acked.length);
      const ids = new Set<string>();
      let previous = -1n;
      for (const [text, eventId] of report.events) {
        const position = BigInt(text);
        // Contiguous: each position is the previous one plus one, from the very first event.
        if (position !== previous + 1n) throw new Error(`position ${position} follows ${previous}`);
        previous = position;
        if (!ackedSet.has(eventId)) throw new Error(`event ${eventId} at ${position} was never acknowledged`);
        if (ids.has(eventId)) throw new Error(`event ${eventId} delivered twice`);
        ids.add(eventId);
        const append = lastOfAppend.get(eventId);
        if (append && append.lastPosition !== text) {
          throw new Error(`append acknowledged at ${append.lastPosition} was delivered at ${text}`);
        }
      }
      expect(ids.size).toBe(acked.length);
    }

    const conflicts = written.reduce((sum, report) => sum + report.conflicts, 0);
    console.log(
      `global order: ${acked.length} events in ${appends.length} appends (${conflicts} expected-revision ` +
        `conflicts) written by ${WRITER_PROCESSES}x${WRITERS_PER_PROCESS} writers in ${writeMs} ms; ` +
        `${SUBSCRIBER_PROCESSES} subscribers complete after ${followMs} ms`,
    );
  }, 120_000);
});
