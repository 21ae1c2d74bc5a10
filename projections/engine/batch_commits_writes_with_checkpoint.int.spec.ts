import { Position } from '@tracershop/event-store';
import { createConnection } from 'mysql2/promise';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { COUNTED, countingProjection } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';

describe('a batch commits its writes and its checkpoint in one transaction', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('batch');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('every consistent snapshot shows exactly the rows of the events up to the checkpoint', async () => {
    const head = await bed.append({ count: 3_000, ignoredEvery: 10 });
    const countedPositions = (await bed.store.readAll())
      .filter((event) => event.type === COUNTED)
      .map((event) => event.position.commit);
    const { engine, reaches } = bed.engine({ projections: [countingProjection()], maxBatchEvents: 40 });
    const running = reaches('running');
    engine.start();
    await running;

    const observer = await createConnection({ ...MYSQL_TEST_CONNECTION, database: bed.recordDatabase });
    let observations = 0;
    try {
      for (;;) {
        await observer.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
        const [[counted]] = (await observer.query(
          'SELECT COUNT(*) AS n, COALESCE(MAX(position), -1) AS last FROM counted_events',
        )) as unknown as [Array<{ n: number; last: number }>];
        const [[totals]] = (await observer.query(
          'SELECT COALESCE(SUM(events), 0) AS n FROM stream_totals',
        )) as unknown as [Array<{ n: number }>];
        const [[checkpoint]] = (await observer.query(
          "SELECT position, events_applied FROM projection_checkpoints WHERE name = 'counting' AND slot = 'live'",
        )) as unknown as [Array<{ position: string; events_applied: number }>];
        await observer.query('COMMIT');
        observations += 1;
        const position = Position.parse(checkpoint.position);
        expect(Number(counted.n)).toBe(Number(checkpoint.events_applied));
        expect(Number(totals.n)).toBe(Number(counted.n));
        expect(BigInt(counted.last) <= (position.isStart() ? -1n : position.commit)).toBe(true);
        const countedUpTo = countedPositions.filter((at) => !position.isStart() && at <= position.commit).length;
        expect(Number(counted.n)).toBe(countedUpTo);
        if (!position.isBefore(head)) break;
      }
    } finally {
      await observer.end();
    }
    expect(observations).toBeGreaterThan(5);
  });

  it('a batch whose handler throws leaves neither its rows nor its checkpoint behind', async () => {
    // Event 30 is poisoned; the batch of 100 holds events 0..99, so rows 0..29 must be rolled back too.
    await bed.append({ count: 100, streams: 1, poisonAt: [30] });
    const { engine, reaches } = bed.engine({
      projections: [countingProjection({ failOn: (event) => event.data.poison === true })],
      maxBatchEvents: 100,
      maxBatchMs: 1_000,
    });
    const failed = reaches('failed');
    engine.start();
    await failed;
    expect(await bed.rows('SELECT * FROM counted_events')).toHaveLength(0);
    expect(await bed.rows('SELECT * FROM stream_totals')).toHaveLength(0);
    const [checkpoint] = await bed.rows(
      "SELECT position, events_applied, status FROM projection_checkpoints WHERE name = 'counting' AND slot = 'live'",
    );
    expect(checkpoint).toMatchObject({ position: 'start', status: 'failed' });
    expect(Number(checkpoint.events_applied)).toBe(0);
  });
});
