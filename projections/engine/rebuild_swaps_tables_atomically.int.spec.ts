import type { RecordedEvent } from '@tracershop/event-store';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection, type CountedData } from '../../test/projections/counting-projection';
import {
  openProjectionTestBed,
  versionedTables,
  type ProjectionTestBed,
} from '../../test/projections/projection-test-bed';
import { RebuildError } from './projection-errors';

interface Observation {
  rows: number;
  totals: number;
  versions: string;
}

/** Reads both tables in one statement, over and over, until stopped; any error is kept. */
function watchLiveTables(bed: ProjectionTestBed) {
  const observations: Observation[] = [];
  const errors: unknown[] = [];
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      try {
        const [row] = await bed.rows(`
          SELECT (SELECT COUNT(*) FROM counted_events) AS n,
                 (SELECT COALESCE(SUM(events), 0) FROM stream_totals) AS totals,
                 (SELECT COALESCE(GROUP_CONCAT(DISTINCT projected_by), '') FROM counted_events) AS versions`);
        observations.push({ rows: Number(row.n), totals: Number(row.totals), versions: String(row.versions) });
      } catch (error) {
        errors.push(error);
      }
    }
  })();
  return {
    observations,
    errors,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

/** Appends a few events every few ms, as the command side would, until stopped. */
function keepAppending(bed: ProjectionTestBed) {
  let stopped = false;
  let round = 0;
  const done = (async () => {
    while (!stopped) {
      await bed.append({ count: 10, streams: 2, streamPrefix: `w${round++}-` });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
    },
  };
}

describe('rebuild builds the new version in shadow tables and swaps them in atomically', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('rebuild');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('rebuild_swaps_tables_atomically while the old version keeps serving and advancing', async () => {
    await bed.append({ count: 6_000, ignoredEvery: 10 });
    const old = bed.engine({ projections: [countingProjection({ version: 1 })] });
    const oldRunning = old.reaches('running');
    old.engine.start();
    await oldRunning;
    await old.engine.waitForPosition('counting', (await bed.store.headPosition())!, 30_000);

    // The new deployment: version 2 runs beside version 1, which keeps the lock and serves.
    const next = bed.engine({ projections: [countingProjection({ version: 2 })] });
    next.engine.start();
    const writer = keepAppending(bed);
    const watcher = watchLiveTables(bed);
    const [before] = await old.engine.status();
    const report = await next.engine.rebuild('counting');
    const newRunning = next.reaches('running');
    await newRunning;
    await writer.stop();
    await next.engine.waitForPosition('counting', (await bed.store.headPosition())!, 30_000);
    await watcher.stop();

    expect(watcher.errors).toEqual([]);
    const { observations } = watcher;
    for (const observation of observations) {
      expect(observation.totals).toBe(observation.rows);
      expect(['1', '2']).toContain(observation.versions);
    }
    const firstNew = observations.findIndex((observation) => observation.versions === '2');
    expect(firstNew).toBeGreaterThan(0);
    expect(observations.slice(firstNew).every((observation) => observation.versions === '2')).toBe(true);
    for (let index = 1; index < observations.length; index++) {
      expect(observations[index].rows).toBeGreaterThanOrEqual(observations[index - 1].rows);
    }
    // Version 1 went on applying new events while version 2 was being built.
    const servedWhileBuilding = observations.slice(0, firstNew).map((observation) => observation.rows);
    expect(Math.max(...servedWhileBuilding)).toBeGreaterThan(before.checkpoint!.eventsApplied);

    expect(report).toMatchObject({ projection: 'counting', version: 2, replacedVersion: 1 });
    expect(report.eventsRead).toBeGreaterThanOrEqual(6_000);
    await expectEveryEventCountedOnce(bed);
    expect(await bed.rows('SELECT * FROM counted_events WHERE projected_by <> 2 OR doubled <> amount * 2')).toEqual([]);
    expect(await versionedTables(bed.pool, bed.recordDatabase)).toEqual([]);
    const checkpoints = await bed.rows('SELECT slot, version FROM projection_checkpoints');
    expect(checkpoints).toEqual([{ slot: 'live', version: 2 }]);
    const [oldStatus] = await old.engine.status();
    expect(oldStatus.runner).toMatchObject({ state: 'standby' });
    expect(oldStatus.runner.note).toContain('superseded');
    console.info(
      `rebuild: ${report.eventsRead} events in ${report.durationMs} ms = ${report.eventsPerSecond} events/s; ` +
        `live runner paused ${report.pausedMs} ms; ${observations.length} reads during the rebuild`,
    );
  });

  it('rebuilds the running version in place: the same runner goes on from the new tables', async () => {
    const head = await bed.append({ count: 2_000 });
    const { engine, reaches } = bed.engine({ projections: [countingProjection()] });
    const running = reaches('running');
    engine.start();
    await running;
    await engine.waitForPosition('counting', head, 30_000);
    const report = await engine.rebuild('counting');
    expect(report).toMatchObject({ version: 1, replacedVersion: 1, eventsRead: 2_000 });
    const more = await bed.append({ count: 300, streamPrefix: 'after' });
    await engine.waitForPosition('counting', more, 10_000);
    await expectEveryEventCountedOnce(bed);
    expect(await versionedTables(bed.pool, bed.recordDatabase)).toEqual([]);
  });

  it('a rebuild that meets a poison event stops, the live version keeps serving, and a rerun resumes', async () => {
    await bed.append({ count: 3_000, poisonAt: [2_500] });
    let poisoned = true;
    const failOn = (event: RecordedEvent<CountedData>) => poisoned && event.data.poison === true;
    const live = bed.engine({ projections: [countingProjection({ version: 1 })] });
    live.engine.start();
    // Batches of 1,000: the poison sits in the third, so the first two are kept for the rerun.
    const builder = bed.engine({
      projections: [countingProjection({ version: 2, failOn })],
      rebuildBatchEvents: 1_000,
    });

    const failure = await builder.engine.rebuild('counting').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RebuildError);
    const [status] = await builder.engine.status();
    expect(status.rebuild).toMatchObject({ version: 2, status: 'failed' });
    expect(status.rebuild?.failure?.eventType).toBe('Counted');
    expect(status.checkpoint).toMatchObject({ version: 1 });
    const more = await bed.append({ count: 100, streamPrefix: 'during' });
    await live.engine.waitForPosition('counting', more, 10_000);

    poisoned = false;
    const report = await builder.engine.rebuild('counting');
    // Resumed from the shadow checkpoint, after the last batch before the poison.
    const head = (await bed.store.headPosition())!;
    expect(status.rebuild!.position.isStart()).toBe(false);
    expect(report.eventsRead).toBe(Number(head.commit - status.rebuild!.position.commit));
    builder.engine.start();
    await builder.engine.waitForPosition('counting', (await bed.store.headPosition())!, 30_000);
    await expectEveryEventCountedOnce(bed);
  });
});
