import type { RecordedEvent } from '@tracershop/event-store';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import type { Projection, ProjectionTransaction } from './projection';

/** The counting tables, written at the batch's end: the rows as a deferred insert, the totals as upserts. */
function rowsAtTheEndProjection(): Projection {
  const pending = new WeakMap<ProjectionTransaction, RecordedEvent[]>();
  return {
    ...countingProjection(),
    async handle(event, tx) {
      pending.set(tx, [...(pending.get(tx) ?? []), event]);
    },
    async flushBatch(tx) {
      const events = pending.get(tx) ?? [];
      pending.delete(tx);
      const rows = events.map((event) => [
        event.metadata.eventId,
        event.position.commit,
        event.streamId,
        event.revision,
        (event.data as CountedData).amount,
        1,
      ]);
      await tx.insertRows(
        'counted_events',
        ['event_id', 'position', 'stream_id', 'revision', 'amount', 'projected_by'],
        rows,
        { deferred: true },
      );
      for (const event of events) {
        await tx.deferWrite(
          `INSERT INTO ${tx.table('stream_totals')} (stream_id, events, amount, last_revision) VALUES (?, 1, ?, ?)
           ON DUPLICATE KEY UPDATE events = events + 1, amount = amount + VALUES(amount), last_revision = VALUES(last_revision)`,
          [event.streamId, (event.data as CountedData).amount, event.revision],
        );
      }
    },
  };
}

type QueryArgument = string | { sql: string };
interface CoreConnection {
  threadId: number;
  query: (query: QueryArgument, ...rest: unknown[]) => unknown;
}

/** What each session of the pool sends from now on, one entry per round trip, by session id. */
function recordRoundTrips(pool: { on(event: 'connection', listener: (connection: unknown) => void): unknown }) {
  const sent = new Map<number, string[]>();
  pool.on('connection', (raw) => {
    const connection = raw as CoreConnection;
    const query = connection.query.bind(connection);
    connection.query = (argument, ...rest) => {
      const sql = typeof argument === 'string' ? argument : argument.sql;
      sent.set(connection.threadId, [...(sent.get(connection.threadId) ?? []), sql]);
      return query(argument, ...rest);
    };
  });
  return sent;
}

describe('a live batch', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('roundtrips');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('given batches that insert a few rows and upsert totals at their end, then each batch takes two round trips: its opening and its writes with the checkpoint and the commit', async () => {
    const head = await bed.append({ count: 200, streams: 5 });
    const { engine, pool } = bed.engine({ projections: [rowsAtTheEndProjection()], maxBatchEvents: 40 });
    const sent = recordRoundTrips(pool);

    engine.start();
    await engine.waitForPosition('counting', head, 10_000);
    await expectEveryEventCountedOnce(bed);

    // A batch: from the round trip that locks the checkpoint row to the one that commits.
    const batches: string[][] = [];
    for (const queries of sent.values()) {
      let batch: string[] | null = null;
      for (const sql of queries) {
        if (sql.includes('START TRANSACTION') && sql.includes('FOR UPDATE')) batch = [];
        batch?.push(sql);
        if (batch && /\bCOMMIT\b/.test(sql)) {
          batches.push(batch);
          batch = null;
        }
      }
    }
    expect(batches.length).toBeGreaterThanOrEqual(5);
    for (const batch of batches) {
      expect(batch).toHaveLength(2);
      expect(batch[1]).toContain('INSERT INTO');
    }
  });

  it('given batches of events the projection does not handle, then each moves the checkpoint with one statement and no transaction', async () => {
    await bed.append({ count: 20, streams: 2 });
    const { engine, pool } = bed.engine({ projections: [rowsAtTheEndProjection()], maxBatchEvents: 40 });
    const sent = recordRoundTrips(pool);
    const caughtUp = await bed.append({ count: 20, streams: 2 });
    engine.start();
    await engine.waitForPosition('counting', caughtUp, 10_000);
    const before = new Map([...sent].map(([session, queries]) => [session, queries.length]));

    // Only events it does not handle from here on.
    const head = await bed.append({ count: 200, streams: 4, ignoredEvery: 1 });
    await engine.waitForPosition('counting', head, 10_000);

    const all = [...sent].flatMap(([session, queries]) => queries.slice(before.get(session) ?? 0));
    const skips = all.filter((sql) => sql.includes('last_batch_size = 0'));
    expect(skips.length).toBeGreaterThanOrEqual(1);
    expect(all.filter((sql) => sql.includes('START TRANSACTION'))).toEqual([]);
    const [checkpoint] = await bed.rows(
      "SELECT position, events_applied FROM projection_checkpoints WHERE name = 'counting' AND slot = 'live'",
    );
    expect(checkpoint.position).toBe(head.toString());
    expect(Number(checkpoint.events_applied)).toBe(40);
  });
});
