import { createPool, type Pool } from 'mysql2/promise';
import { Position } from '@tracershop/event-store';
import { migrateEventStoreSchema, MysqlEventStore, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { migrateProjectionDatabase, ProjectionEngine } from '../../projections/engine';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../contract/mysql-test-database';
import { COUNTED, countingProjection, IGNORED } from '../projections/counting-projection';
import { recordTestDatabaseName, silentLogger, testEvent } from '../projections/projection-test-bed';
import { ProjectorProcess } from './projector-process';

const TOTAL_EVENTS = 10_000;
const STREAMS = 50;
/** Every 20th event is not handled: it only moves the checkpoint. */
const IGNORED_EVERY = 20;
const KILLS_WHILE_CATCHING_UP = 20;
/** Processes loaded ahead of their turn: process start-up, not the engine, is most of a restart. */
const SPARE_PROCESSES = 1;
/** Small batches: many transactions, so kills land mid-transaction, between them and in between. */
const BATCH_EVENTS = 25;

const TAKEOVERS = 3;
const TAKEOVER_HANDLER_DELAY_MS = 1;
/**
 * 1 ms an event keeps the catch-up longer than the 20 lives however fast the engine reads ahead,
 * so every kill lands while it is still behind.
 */
const CRASH_HANDLER_DELAY_MS = 1;

/** Process start-up dominates and is CPU-bound; a busy 2-core machine needs the headroom. */
const FAULT_TEST_TIMEOUT_MS = 180_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every row of the counting projection's tables and its checkpoint count, in a fixed order. */
async function projectionContents(pool: Pool, database: string) {
  const q = (table: string) => `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
  const [events] = await pool.query(`SELECT * FROM ${q('counted_events')} ORDER BY position`);
  const [totals] = await pool.query(`SELECT * FROM ${q('stream_totals')} ORDER BY stream_id`);
  const [[checkpoint]] = (await pool.query(
    `SELECT version, position, status, events_applied FROM ${q('projection_checkpoints')} WHERE name = 'counting'`,
  )) as unknown as [Array<Record<string, unknown>>];
  return { events: events as unknown[], totals: totals as unknown[], checkpoint };
}

describe('projector crashes: SIGKILL at random moments never loses or repeats an event', () => {
  const eventsDatabase = testDatabaseName('crash');
  const referenceDatabase = recordTestDatabaseName('reference');
  const databases: string[] = [eventsDatabase, referenceDatabase];
  const processes: ProjectorProcess[] = [];
  let store: MysqlEventStore;
  let pool: Pool;
  let head: Position;
  let reference: Awaited<ReturnType<typeof projectionContents>>;

  /** The API's view: no runner, only the checkpoint table. */
  const reader = (database: string) =>
    new ProjectionEngine({
      eventStore: store,
      databases: { record: { pool, database } },
      projections: [countingProjection()],
      logger: silentLogger,
    });

  const checkpointOf = async (database: string): Promise<Position> => {
    const [rows] = await pool.query(
      `SELECT position FROM ${quoteIdentifier(database)}.projection_checkpoints WHERE name = 'counting'`,
    );
    const [row] = rows as Array<{ position: string }>;
    return row ? Position.parse(row.position) : Position.START;
  };

  const start = (database: string, instanceId: string, handlerDelayMs = 0) => {
    const projector = ProjectorProcess.start(eventsDatabase, database, instanceId, BATCH_EVENTS, handlerDelayMs);
    processes.push(projector);
    return projector;
  };

  beforeAll(async () => {
    await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, eventsDatabase);
    store = new MysqlEventStore({
      connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 },
      database: eventsDatabase,
    });
    pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 4 });
    const perStream = TOTAL_EVENTS / STREAMS;
    await Promise.all(
      Array.from({ length: STREAMS }, (_, stream) =>
        store.append(
          `fault.counter-${stream}`,
          Array.from({ length: perStream }, (_, index) =>
            testEvent((stream * perStream + index) % IGNORED_EVERY === 0 ? IGNORED : COUNTED, { amount: index % 89 }),
          ),
          'no_stream',
        ),
      ),
    );
    head = (await store.headPosition())!;

    // The reference: a from-scratch rebuild into a fresh database, in this process.
    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', referenceDatabase);
    const builder = new ProjectionEngine({
      eventStore: store,
      databases: { record: { pool, database: referenceDatabase } },
      projections: [countingProjection()],
      logger: silentLogger,
    });
    const report = await builder.rebuild('counting');
    reference = await projectionContents(pool, referenceDatabase);
    expect(reference.events).toHaveLength(TOTAL_EVENTS - TOTAL_EVENTS / IGNORED_EVERY);
    console.info(`reference rebuild: ${report.eventsRead} events at ${report.eventsPerSecond} events/s`);
  });

  afterAll(async () => {
    await Promise.allSettled(processes.map((projector) => projector.kill()));
    await store?.close();
    await pool?.end();
    for (const database of databases) await dropTestDatabase(database);
  });

  it(
    `a projector SIGKILLed ${KILLS_WHILE_CATCHING_UP}+ times while catching up ends equal to a from-scratch rebuild`,
    async () => {
      const database = recordTestDatabaseName('crash');
      databases.push(database);
      await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', database);

      // Processes load their modules ahead (a spare or two) and start their engine when their turn comes.
      let started = 0;
      const spares: ProjectorProcess[] = [];
      const nextProjector = () => {
        while (spares.length < SPARE_PROCESSES)
          spares.push(start(database, `crash-${started++}`, CRASH_HANDLER_DELAY_MS));
        const projector = spares.shift()!;
        spares.push(start(database, `crash-${started++}`, CRASH_HANDLER_DELAY_MS));
        return projector;
      };

      const kills: Array<{ afterMs: number; running: boolean; position: string }> = [];
      // Spreads the kills over the whole catch-up: a life that applied more than its share gets less time.
      let meanLifeMs = 150;
      while (kills.filter((kill) => kill.running).length < KILLS_WHILE_CATCHING_UP) {
        const before = await checkpointOf(database);
        expect(before.isBefore(head)).toBe(true);
        const projector = nextProjector();
        await projector.go();
        let running: boolean;
        let afterMs: number;
        if (kills.length % 5 === 4) {
          // Now and then while it connects, takes the lock and reads the checkpoint.
          afterMs = Math.random() * 100;
          await sleep(afterMs);
          running = projector.state === 'running';
        } else {
          await projector.reaches('running');
          afterMs = meanLifeMs * (0.5 + Math.random());
          await sleep(afterMs);
          running = true;
        }
        await projector.kill();
        const after = await checkpointOf(database);
        expect(projector.failures).toEqual([]);
        if (running) {
          const killsLeft = KILLS_WHILE_CATCHING_UP - kills.filter((kill) => kill.running).length;
          const share = Number(head.commit - before.commit) / (killsLeft + 3);
          const applied = Number(after.commit - before.commit);
          meanLifeMs = Math.min(2_000, Math.max(5, meanLifeMs * (applied > share ? 0.6 : 1.3)));
        }
        kills.push({ afterMs: Math.round(afterMs), running, position: after.toString() });
      }
      expect((await checkpointOf(database)).isBefore(head)).toBe(true);

      const survivor = nextProjector();
      await Promise.all(spares.map((spare) => spare.kill()));
      await survivor.go();
      await reader(database).waitForPosition('counting', head, 30_000);
      await survivor.stop();
      expect(survivor.failures).toEqual([]);

      const contents = await projectionContents(pool, database);
      expect(contents.checkpoint.status).not.toBe('failed');
      expect(Number(contents.checkpoint.events_applied)).toBe(reference.events.length);
      expect(contents.events).toEqual(reference.events);
      expect(contents.totals).toEqual(reference.totals);
      console.info(
        `${kills.length} kills (${kills.filter((kill) => kill.running).length} while applying), at ` +
          kills.map((kill) => `${kill.afterMs}ms→${kill.position}`).join(', '),
      );
    },
    FAULT_TEST_TIMEOUT_MS,
  );

  it(
    'killing the active projector hands the projection to the waiting standby, with the same end result',
    async () => {
      const database = recordTestDatabaseName('takeover');
      databases.push(database);
      await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', database);

      // Slow handlers (1 ms an event) keep the catch-up going through every round; all load up front.
      let active = start(database, 'first', TAKEOVER_HANDLER_DELAY_MS);
      const waiting = Array.from({ length: TAKEOVERS }, (_, index) =>
        start(database, `standby-${index}`, TAKEOVER_HANDLER_DELAY_MS),
      );
      const finisher = start(database, 'finisher');
      await active.go();
      await active.reaches('running');
      await Promise.all(waiting.map((standby) => standby.go()));
      await Promise.all(waiting.map((standby) => standby.reaches('standby')));
      const takeovers: number[] = [];
      while (waiting.length > 0) {
        await sleep(100 + Math.random() * 300);
        expect(waiting.every((standby) => standby.state === 'standby')).toBe(true);
        const killedAt = Date.now();
        await active.kill();
        const next = await Promise.any(
          waiting.map((standby) => standby.reaches('running', 10_000).then(() => standby)),
        );
        takeovers.push(Date.now() - killedAt);
        expect((await checkpointOf(database)).isBefore(head)).toBe(true);
        waiting.splice(waiting.indexOf(next), 1);
        active = next;
      }
      // The rest at full speed: one more standby, then the slow active goes too.
      await finisher.go();
      await finisher.reaches('standby');
      await active.kill();
      await reader(database).waitForPosition('counting', head, 30_000);
      await finisher.stop();
      expect(processes.flatMap((projector) => projector.failures)).toEqual([]);

      const contents = await projectionContents(pool, database);
      expect(contents.checkpoint.status).not.toBe('failed');
      expect(Number(contents.checkpoint.events_applied)).toBe(reference.events.length);
      expect(contents.events).toEqual(reference.events);
      expect(contents.totals).toEqual(reference.totals);
      expect(Math.max(...takeovers)).toBeLessThan(5_000);
      console.info(`standbys took over ${takeovers.join(', ')} ms after the active projector was killed`);
    },
    FAULT_TEST_TIMEOUT_MS,
  );
});
