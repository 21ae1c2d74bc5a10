import type { RecordedEvent } from '@tracershop/event-store';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection, COUNTED, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import type { Projection, ProjectionTransaction } from './projection';

/** Distinct from the server's default, so a session left in it shows. */
const PROJECTION_SQL_MODE = 'NO_ENGINE_SUBSTITUTION';

/**
 * The counting tables written only through deferred writes at the batch flush; under its own
 * sql_mode. While `poisoned` says so, the poisoned event's row is deferred twice: the second
 * INSERT fails at the server (duplicate key), which only the deferred statements' round trip sees.
 */
function deferringProjection(poisoned: () => boolean, seenModes: Set<string>): Projection {
  const pending = new WeakMap<ProjectionTransaction, RecordedEvent[]>();
  return {
    ...countingProjection(),
    sqlMode: PROJECTION_SQL_MODE,
    async handle(event, tx) {
      const [{ mode }] = await tx.query<Array<{ mode: string }>>('SELECT @@SESSION.sql_mode AS mode');
      seenModes.add(mode);
      pending.set(tx, [...(pending.get(tx) ?? []), event]);
    },
    async flushBatch(tx) {
      const events = pending.get(tx) ?? [];
      pending.delete(tx);
      for (const event of events) {
        const data = event.data as CountedData;
        const row = [event.metadata.eventId, event.position.commit, event.streamId, event.revision, data.amount];
        const insert = `INSERT INTO ${tx.table('counted_events')} (event_id, position, stream_id, revision, amount, projected_by)
          VALUES (?, ?, ?, ?, ?, 1)`;
        await tx.deferWrite(insert, row);
        if (poisoned() && data.poison === true) await tx.deferWrite(insert, row);
        await tx.deferWrite(
          `INSERT INTO ${tx.table('stream_totals')} (stream_id, events, amount, last_revision) VALUES (?, 1, ?, ?)
           ON DUPLICATE KEY UPDATE events = events + 1, amount = amount + VALUES(amount), last_revision = VALUES(last_revision)`,
          [event.streamId, data.amount, event.revision],
        );
      }
    },
  };
}

describe.each([
  ['several statements per round trip', true],
  ['one statement per round trip', false],
])('deferred writes (%s)', (_label, batchStatements) => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed(batchStatements ? 'deferbatch' : 'defersingle');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('given batches written only through deferred writes, then every event is counted once with the checkpoint, under the projection’s sql_mode, and no session keeps it', async () => {
    const head = await bed.append({ count: 400, streams: 4 });
    const seenModes = new Set<string>();
    const { engine, pool, sessions } = bed.engine({
      projections: [deferringProjection(() => false, seenModes)],
      maxBatchEvents: 100,
      batchStatements,
    });
    engine.start();
    await engine.waitForPosition('counting', head, 10_000);
    await expectEveryEventCountedOnce(bed);
    expect([...seenModes]).toEqual([PROJECTION_SQL_MODE]);

    await engine.stop();
    const connections = await Promise.all([...sessions].map(() => pool.getConnection()));
    try {
      for (const connection of connections) {
        const [rows] = await connection.query('SELECT @@SESSION.sql_mode AS mode');
        expect((rows as Array<{ mode: string }>)[0].mode).not.toBe(PROJECTION_SQL_MODE);
      }
    } finally {
      for (const connection of connections) connection.release();
    }
  });

  it('given a deferred write the server refuses, then the projection stops at the event that caused it, keeping nothing of its batch, and resumes once fixed', async () => {
    let poisoned = true;
    const head = await bed.append({ count: 300, streams: 3, poisonAt: [170] });
    const poison = (await bed.store.readAll()).find(
      (event) => event.type === COUNTED && (event.data as CountedData).poison === true,
    );
    if (!poison) throw new Error('no poisoned event appended');
    const { engine, reaches } = bed.engine({
      projections: [deferringProjection(() => poisoned, new Set())],
      maxBatchEvents: 100,
      batchStatements,
    });
    const failed = reaches('failed');
    engine.start();
    await failed;

    const [status] = await engine.status();
    expect(status.failure).toMatchObject({ eventId: poison.metadata.eventId });
    expect(status.failure?.message).toContain('Duplicate entry');
    const atOrAfter = await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE position >= ?', [
      poison.position.commit,
    ]);
    expect(Number(atOrAfter[0].n)).toBe(0);
    const before = await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE position < ?', [
      poison.position.commit,
    ]);
    expect(Number(before[0].n)).toBeGreaterThan(0);

    poisoned = false;
    await engine.retry('counting');
    await engine.waitForPosition('counting', head, 10_000);
    await expectEveryEventCountedOnce(bed);
  });
});
