import type { RecordedEvent } from '@tracershop/event-store';
import { COUNTED, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import { tableName } from './physical-names';
import type { Projection, ProjectionTransaction } from './projection';
import { RebuildError } from './projection-errors';

const NAME = 'sessions';

/**
 * Each event is counted at once in `counted_now` (in the batch's transaction) and loaded in bulk
 * into `loaded_events` at the batch's end; each batch also records, in `batch_writes`, the
 * session of its transaction and the session that ran that very statement. While `poisoned` says
 * so, a batch holding the poisoned event writes its `batch_writes` row twice (a duplicate key);
 * while `deadlocked` says so, that write fails as a deadlock.
 */
function sessionsProjection(poisoned: () => boolean, deadlocked: () => boolean = () => false): Projection {
  const pending = new WeakMap<ProjectionTransaction, { session: number; events: RecordedEvent[] }>();
  return {
    name: NAME,
    version: 1,
    target: 'record',
    eventTypes: [COUNTED],
    tables: {
      counted_now: (table) => `CREATE TABLE ${table} (event_id CHAR(36) NOT NULL PRIMARY KEY) ENGINE=InnoDB`,
      loaded_events: (table) => `
        CREATE TABLE ${table} (
          event_id CHAR(36) NOT NULL PRIMARY KEY,
          position BIGINT NOT NULL,
          amount INT NOT NULL
        ) ENGINE=InnoDB`,
      batch_writes: (table) => `
        CREATE TABLE ${table} (
          first_position BIGINT NOT NULL PRIMARY KEY,
          batch_session BIGINT NOT NULL,
          written_by BIGINT NOT NULL
        ) ENGINE=InnoDB`,
    },
    async handle(event, tx) {
      let batch = pending.get(tx);
      if (!batch) {
        const [{ session }] = await tx.query<Array<{ session: number }>>('SELECT CONNECTION_ID() AS session');
        batch = { session: Number(session), events: [] };
        pending.set(tx, batch);
      }
      batch.events.push(event);
      await tx.query(`INSERT INTO ${tx.table('counted_now')} (event_id) VALUES (?)`, [event.metadata.eventId]);
    },
    async flushBatch(tx) {
      const batch = pending.get(tx);
      pending.delete(tx);
      if (!batch) return;
      const rows = batch.events.map((event) => [
        event.metadata.eventId,
        event.position.commit,
        (event.data as CountedData).amount,
      ]);
      await tx.insertRows('loaded_events', ['event_id', 'position', 'amount'], rows, { deferred: true });
      const record = `INSERT INTO ${tx.table('batch_writes')} (first_position, batch_session, written_by)
        VALUES (?, ?, CONNECTION_ID())`;
      const params = [batch.events[0].position.commit, batch.session];
      if (deadlocked()) {
        // Fails at the server as a deadlock would: a transient failure, which the rebuild retries.
        await tx.deferWrite(
          `/* ${tx.table('batch_writes')} */ BEGIN NOT ATOMIC
             SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found (test)'; END`,
        );
        return;
      }
      await tx.deferWrite(record, params);
      const poison = batch.events.some((event) => (event.data as CountedData).poison === true);
      if (poisoned() && poison) await tx.deferWrite(record, params);
    },
  };
}

interface BatchWrite {
  firstPosition: bigint;
  batchSession: number;
  writtenBy: number;
}

async function batchWrites(bed: ProjectionTestBed, table = 'batch_writes'): Promise<BatchWrite[]> {
  const rows = await bed.rows(
    `SELECT first_position AS p, batch_session AS b, written_by AS w FROM \`${table}\` ORDER BY first_position`,
  );
  return rows.map((row) => ({
    firstPosition: BigInt(String(row.p)),
    batchSession: Number(row.b),
    writtenBy: Number(row.w),
  }));
}

async function count(bed: ProjectionTestBed, table: string): Promise<number> {
  const [row] = await bed.rows(`SELECT COUNT(*) AS n FROM \`${table}\``);
  return Number(row.n);
}

describe("a rebuild's first batch", () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('parallelfirst');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('given a history of several batches, when rebuilt, then the first batch’s writes ran on another session than its transaction, the later batches’ on their own, and every event is there once', async () => {
    await bed.append({ count: 700, streams: 7 });
    const { engine } = bed.engine({ projections: [sessionsProjection(() => false)], rebuildBatchEvents: 300 });

    const report = await engine.rebuild(NAME);

    expect(report.eventsRead).toBe(700);
    const writes = await batchWrites(bed);
    expect(writes).toHaveLength(3);
    const [first, ...later] = writes;
    expect(first.writtenBy).not.toBe(first.batchSession);
    for (const write of later) expect(write.writtenBy).toBe(write.batchSession);
    expect(await count(bed, 'loaded_events')).toBe(700);
    expect(await count(bed, 'counted_now')).toBe(700);
    const [{ n }] = await bed.rows('SELECT COUNT(*) AS n FROM loaded_events JOIN counted_now USING (event_id)');
    expect(Number(n)).toBe(700);
  });

  it('given a first batch too small to pay for more sessions, when rebuilt, then its writes stay in its transaction', async () => {
    await bed.append({ count: 150, streams: 3 });
    const { engine } = bed.engine({ projections: [sessionsProjection(() => false)] });

    await engine.rebuild(NAME);

    const [write] = await batchWrites(bed);
    expect(write.writtenBy).toBe(write.batchSession);
    expect(await count(bed, 'loaded_events')).toBe(150);
  });

  it('given a first-batch write the server refuses after the batch’s transaction committed, when rebuilt, then the rebuild stops at the event that caused it with nothing kept, and starts over from empty tables once fixed', async () => {
    let poisoned = true;
    await bed.append({ count: 400, streams: 4, poisonAt: [250] });
    const poison = (await bed.store.readAll()).find((event) => (event.data as CountedData).poison === true);
    if (!poison) throw new Error('no poisoned event appended');
    const { engine } = bed.engine({ projections: [sessionsProjection(() => poisoned)] });

    const failure = await engine.rebuild(NAME).then(
      () => null,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(RebuildError);
    expect(String((failure as Error).message)).toContain(poison.metadata.eventId);
    expect(String((failure as Error).message)).toContain('Duplicate entry');
    // The rows the committed transaction wrote were taken back with the tables: nothing is left.
    for (const logical of ['counted_now', 'loaded_events', 'batch_writes']) {
      expect(await count(bed, tableName(logical, 'shadow', 1))).toBe(0);
    }

    // As a crash half way through the first batch would leave it: rows, and the checkpoint at the start.
    await bed.rows(`INSERT INTO \`${tableName('loaded_events', 'shadow', 1)}\` VALUES ('left-over', 0, 0)`);
    poisoned = false;
    const report = await engine.rebuild(NAME);

    expect(report.eventsHandled).toBe(400);
    expect(await count(bed, 'loaded_events')).toBe(400);
    expect(await bed.rows("SELECT * FROM loaded_events WHERE event_id = 'left-over'")).toEqual([]);
  });

  it('given a first-batch write that fails as a deadlock after the batch’s transaction committed, when rebuilt, then the batch is tried again on shadow tables built again and every event is there once', async () => {
    let deadlocks = 1;
    await bed.append({ count: 400, streams: 4 });
    const { engine } = bed.engine({
      projections: [
        sessionsProjection(
          () => false,
          () => deadlocks-- > 0,
        ),
      ],
    });

    const report = await engine.rebuild(NAME);

    expect(deadlocks).toBeLessThan(0);
    expect(report.eventsHandled).toBe(400);
    expect(await count(bed, 'counted_now')).toBe(400);
    expect(await count(bed, 'loaded_events')).toBe(400);
    expect(await batchWrites(bed)).toHaveLength(1);
  });
});
