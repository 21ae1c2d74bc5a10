import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection } from '../../test/projections/counting-projection';
import {
  openProjectionTestBed,
  versionedTables,
  type ProjectionTestBed,
} from '../../test/projections/projection-test-bed';
import type { Projection, ShadowMerge } from './projection';

/** Rows another system writes into `counted_events`: `projected_by` 0, positions below zero. */
const OTHER_SYSTEM = 0;

/**
 * The counting projection with `counted_events` shared with another system: the projection's rows
 * are those with `projected_by` > 0; a merge replaces them with the shadow's and leaves the rest.
 */
function sharingProjection(overrides: Partial<Projection> = {}): Projection {
  return {
    ...countingProjection({ version: 1 }),
    sharedTables: ['counted_events'],
    async mergeShadow(merge: ShadowMerge) {
      await merge.query(`DELETE FROM ${merge.live('counted_events')} WHERE projected_by <> ${OTHER_SYSTEM}`);
      await merge.query(`INSERT INTO ${merge.live('counted_events')} SELECT * FROM ${merge.shadow('counted_events')}`);
    },
    ...overrides,
  };
}

async function insertOtherSystemRow(bed: ProjectionTestBed, eventId: string, position: number): Promise<void> {
  await bed.pool.query(
    `INSERT INTO counted_events (event_id, position, stream_id, revision, amount, projected_by)
     VALUES (?, ?, 'other.system', 0, 7, ?)`,
    [eventId, position, OTHER_SYSTEM],
  );
}

describe('a rebuild merges a shared table in place instead of renaming it', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('shared');
  });

  afterEach(async () => {
    await bed.close();
  });

  it("keeps the other system's rows, also one written while the swap runs, and replaces the projection's", async () => {
    // Given the projection live and caught up, and rows of the other system beside its own
    const head = await bed.append({ count: 500 });
    const { engine } = bed.engine({
      projections: [
        sharingProjection({
          // The other system writes while the swap runs (the live runner is paused by then).
          beforeSwap: () => insertOtherSystemRow(bed, 'other-during-swap', -3),
        }),
      ],
    });
    engine.start();
    await engine.waitForPosition('counting', head, 30_000);
    await insertOtherSystemRow(bed, 'other-1', -1);
    await insertOtherSystemRow(bed, 'other-2', -2);
    // and a projection row that has gone wrong in the live table
    await bed.pool.query('UPDATE counted_events SET amount = 999 WHERE projected_by = 1 ORDER BY position LIMIT 1');

    // When the projection is rebuilt
    const report = await engine.rebuild('counting');

    // Then the other system's rows are all there, and the projection's are the rebuilt ones
    expect(report).toMatchObject({ version: 1, replacedVersion: 1, eventsRead: 500 });
    expect(
      await bed.rows('SELECT event_id AS eventId FROM counted_events WHERE projected_by = ? ORDER BY position DESC', [
        OTHER_SYSTEM,
      ]),
    ).toEqual([{ eventId: 'other-1' }, { eventId: 'other-2' }, { eventId: 'other-during-swap' }]);
    expect(await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE projected_by = 1')).toEqual([{ n: 500 }]);
    expect(await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE amount = 999')).toEqual([{ n: 0 }]);
    // and the table not shared was swapped as ever; no shadow or retired copy is left
    expect(await bed.rows('SELECT SUM(events) AS n FROM stream_totals')).toEqual([{ n: '500' }]);
    expect(await versionedTables(bed.pool, bed.recordDatabase)).toEqual([]);
    expect(await bed.rows('SELECT slot, version FROM projection_checkpoints')).toEqual([{ slot: 'live', version: 1 }]);

    // And the live runner goes on in the merged table
    const more = await bed.append({ count: 50, streamPrefix: 'after' });
    await engine.waitForPosition('counting', more, 30_000);
    expect(await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE projected_by = 1')).toEqual([{ n: 550 }]);
  });

  it('a merge that fails leaves the old rows and the old version live; the next lock holder finishes the swap', async () => {
    // Given the projection live and caught up, with a row of the other system
    const head = await bed.append({ count: 300 });
    const live = bed.engine({ projections: [sharingProjection()] });
    live.engine.start();
    await live.engine.waitForPosition('counting', head, 30_000);
    await insertOtherSystemRow(bed, 'other-1', -1);
    await live.engine.stop();

    // When a rebuild's merge fails after the tables not shared were renamed (as a crash would leave it)
    const failing = bed.engine({
      projections: [
        sharingProjection({
          mergeShadow: async (merge) => {
            await merge.query(`DELETE FROM ${merge.live('counted_events')} WHERE projected_by <> ${OTHER_SYSTEM}`);
            throw new Error('the process died here');
          },
        }),
      ],
    });
    await expect(failing.engine.rebuild('counting')).rejects.toThrow('the process died here');

    // Then the delete was rolled back with the merge: the old rows are still live, beside the other system's
    expect(await bed.rows('SELECT COUNT(*) AS n FROM counted_events')).toEqual([{ n: 301 }]);
    expect(await bed.rows("SELECT slot FROM projection_checkpoints WHERE slot = 'shadow'")).toEqual([
      { slot: 'shadow' },
    ]);

    // When the next runner takes the lock, with more events meanwhile
    const more = await bed.append({ count: 40, streamPrefix: 'after' });
    const next = bed.engine({ projections: [sharingProjection()] });
    next.engine.start();
    await next.engine.waitForPosition('counting', more, 30_000);

    // Then it finished the swap (merge and promotion) and went on: every event counted once
    expect(await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE projected_by = ?', [OTHER_SYSTEM])).toEqual([
      { n: 1 },
    ]);
    expect(await versionedTables(bed.pool, bed.recordDatabase)).toEqual([]);
    await bed.pool.query('DELETE FROM counted_events WHERE projected_by = ?', [OTHER_SYSTEM]);
    await expectEveryEventCountedOnce(bed);
    expect(await bed.rows('SELECT slot, version FROM projection_checkpoints')).toEqual([{ slot: 'live', version: 1 }]);
  });
});
