import { legacyContractTables } from '@tracershop/projections/legacy';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import { CheckpointStore, type SwapRename } from './checkpoint-store';
import { qualifiedName } from './physical-names';

const RENAMES: SwapRename[] = ['counted_events', 'stream_totals'].map((table) => ({
  live: table,
  shadow: `${table}__v2_shadow`,
  old: `${table}__v1_old`,
}));

describe('a swap interrupted by a crash is finished, or undone, by the next holder of the lock', () => {
  let bed: ProjectionTestBed;
  let checkpoints: CheckpointStore;

  beforeEach(async () => {
    bed = await openProjectionTestBed('swap');
    checkpoints = new CheckpointStore(bed.pool, bed.recordDatabase);
  });

  afterEach(async () => {
    await bed.close();
  });

  /** Version 1 live and caught up; version 2 complete in shadow tables; the swap recorded, then "the crash". */
  async function buildUpToTheSwap(): Promise<void> {
    const head = await bed.append({ count: 1_000 });
    const live = bed.engine({ projections: [countingProjection({ version: 1 })] });
    live.engine.start();
    await live.engine.waitForPosition('counting', head, 30_000);
    await live.engine.stop();
    const crashing = countingProjection({ version: 2 });
    const builder = bed.engine({
      projections: [{ ...crashing, beforeSwap: () => Promise.reject(new Error('the process died here')) }],
    });
    await expect(builder.engine.rebuild('counting')).rejects.toThrow('the process died here');
    await checkpoints.recordSwap('counting', RENAMES);
  }

  /** The record database's tables, without the legacy contract tables its migrations create. */
  async function tables(): Promise<string[]> {
    const rows = await bed.rows(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name',
      [bed.recordDatabase],
    );
    const legacy = new Set<string>([...legacyContractTables, 'Roles', 'legacy_capture']);
    return rows.map((row) => String(row.name)).filter((name) => !legacy.has(name));
  }

  it('after the rename: the new version is promoted and goes on from the shadow checkpoint', async () => {
    await buildUpToTheSwap();
    const pairs = RENAMES.flatMap(({ live, shadow, old }) => [
      `${qualifiedName(bed.recordDatabase, live)} TO ${qualifiedName(bed.recordDatabase, old!)}`,
      `${qualifiedName(bed.recordDatabase, shadow)} TO ${qualifiedName(bed.recordDatabase, live)}`,
    ]);
    await bed.pool.query(`RENAME TABLE ${pairs.join(', ')}`);
    const more = await bed.append({ count: 200, streamPrefix: 'after' });

    const next = bed.engine({ projections: [countingProjection({ version: 2 })] });
    next.engine.start();
    await next.engine.waitForPosition('counting', more, 30_000);
    await expectEveryEventCountedOnce(bed);
    expect(await bed.rows('SELECT * FROM counted_events WHERE projected_by <> 2')).toEqual([]);
    expect(await tables()).toEqual(['counted_events', 'projection_checkpoints', 'schema_migrations', 'stream_totals']);
    expect(await bed.rows('SELECT slot, version FROM projection_checkpoints')).toEqual([{ slot: 'live', version: 2 }]);
  });

  it('before the rename: the old version goes on, and a new rebuild resumes the shadow and swaps', async () => {
    await buildUpToTheSwap();
    const more = await bed.append({ count: 200, streamPrefix: 'after' });

    const old = bed.engine({ projections: [countingProjection({ version: 1 })] });
    old.engine.start();
    await old.engine.waitForPosition('counting', more, 30_000);
    await expectEveryEventCountedOnce(bed);
    const [shadow] = await bed.rows("SELECT swap_tables FROM projection_checkpoints WHERE slot = 'shadow'");
    expect(shadow).toEqual({ swap_tables: null });

    const builder = bed.engine({ projections: [countingProjection({ version: 2 })] });
    const report = await builder.engine.rebuild('counting');
    expect(report.eventsRead).toBe(200);
    builder.engine.start();
    await builder.engine.waitForPosition('counting', more, 30_000);
    await expectEveryEventCountedOnce(bed);
    expect(await bed.rows('SELECT * FROM counted_events WHERE projected_by <> 2')).toEqual([]);
  });
});
