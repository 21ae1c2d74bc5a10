import type { RecordedEvent } from '@tracershop/event-store';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import { Position } from '@tracershop/event-store';
import { applyBatch, type BatchWriter } from './batch-transaction';
import { CheckpointStore } from './checkpoint-store';
import type { Projection, ProjectionTransaction } from './projection';
import { CheckpointMovedError } from './projection-errors';
import { createMissingLiveTables, physicalTables } from './projection-tables';

/**
 * The counting tables, written at the batch's end: the rows as a deferred insert, the totals as
 * upserts; with `preload`, each batch first reads its streams' totals (as text, as the record
 * projections' preloads do).
 */
function rowsAtTheEndProjection(preload = false): Projection {
  const pending = new WeakMap<ProjectionTransaction, RecordedEvent[]>();
  return {
    ...countingProjection(),
    ...(preload
      ? {
          async prepareBatch(events: readonly RecordedEvent[], tx: ProjectionTransaction) {
            const streams = [...new Set(events.map((event) => event.streamId))];
            await tx.queryText(
              `SELECT stream_id, events FROM ${tx.table('stream_totals')} WHERE stream_id IN (${streams.map(() => '?').join(', ')})`,
              streams,
            );
          },
        }
      : {}),
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

/** The batches sent: each from the round trip that locks the checkpoint row to the one that commits. */
function batchesIn(sent: Map<number, string[]>): string[][] {
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
  return batches;
}

describe('a live batch', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('roundtrips');
  });

  afterEach(async () => {
    await bed.close();
  });

  /** 200 events through the engine in batches of 40; the batches' round trips, once all are counted. */
  async function countedBatches(preload: boolean): Promise<string[][]> {
    const head = await bed.append({ count: 200, streams: 5 });
    const { engine, pool } = bed.engine({ projections: [rowsAtTheEndProjection(preload)], maxBatchEvents: 40 });
    const sent = recordRoundTrips(pool);
    engine.start();
    await engine.waitForPosition('counting', head, 10_000);
    await expectEveryEventCountedOnce(bed);
    const batches = batchesIn(sent);
    expect(batches.length).toBeGreaterThanOrEqual(5);
    return batches;
  }

  it('given batches that insert a few rows and upsert totals at their end, then each batch takes two round trips: its opening and its writes with the checkpoint and the commit', async () => {
    const batches = await countedBatches(false);

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

  it('given batches that read before they write, then the read travels with the opening: still two round trips a batch, and every event is there once', async () => {
    const batches = await countedBatches(true);

    for (const batch of batches) {
      expect(batch).toHaveLength(2);
      expect(batch[0]).toContain('SELECT stream_id, events FROM');
    }
  });

  it('given a writer that no longer holds its lock, when its batch reads before it writes, then the check that travels with the read stops it and nothing is kept', async () => {
    await bed.append({ count: 30, streams: 3 });
    const events = await bed.store.readAll();
    const projection = rowsAtTheEndProjection(true);
    const { pool } = bed.engine({ projections: [] });
    const checkpoints = new CheckpointStore(pool, bed.recordDatabase);
    await createMissingLiveTables(pool, bed.recordDatabase, projection);
    await checkpoints.insert(pool, projection.name, 'live', 1, 'running');
    const writer: BatchWriter = {
      checkpoints,
      projection,
      slot: 'live',
      version: 1,
      tables: physicalTables(bed.recordDatabase, projection, 'live'),
      // Nobody holds this lock: the writer has lost it.
      lock: { name: 'tracershop-test-lost-lock', sessionId: 1 },
    };
    const batch = { events, position: events[events.length - 1].position, live: true };

    const outcome = await applyBatch(writer, Position.START, batch, 'live').then(
      () => null,
      (error: unknown) => error,
    );

    expect(outcome).toBeInstanceOf(CheckpointMovedError);
    expect((outcome as CheckpointMovedError).lockLost).toBe(true);
    expect(await bed.rows('SELECT * FROM counted_events')).toEqual([]);
    const [checkpoint] = await bed.rows(
      "SELECT position FROM projection_checkpoints WHERE name = 'counting' AND slot = 'live'",
    );
    expect(checkpoint.position).toBe('start');
  });
});
