import type { Position } from '@tracershop/event-store';
import { countingProjection } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';

describe("a projection's own live batch spacing", () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('spacing');
  });

  afterEach(async () => {
    await bed.close();
  });

  /** Live batches the projection applied while 20 events arrived one by one, 10 ms apart. */
  async function batchesFor(spacing: { engine: number; projection: number | undefined }): Promise<number> {
    let batches = 0;
    const projection = {
      ...countingProjection(),
      ...(spacing.projection === undefined ? {} : { liveBatchSpacingMs: spacing.projection }),
      prepareBatch: () => {
        batches += 1;
        return Promise.resolve();
      },
    };
    const { engine, reaches } = bed.engine({ projections: [projection], liveBatchSpacingMs: spacing.engine });
    const running = reaches('running');
    engine.start();
    await running;
    const before = batches;
    let last: Position | null = null;
    for (let index = 0; index < 20; index++) {
      last = await bed.append({ count: 1, streams: 1 });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await engine.waitForPosition('counting', last as Position, 5_000);
    await engine.stop();
    return batches - before;
  }

  it('given a longer spacing than the engine’s, then events 10 ms apart are gathered into few batches', async () => {
    expect(await batchesFor({ engine: 0, projection: 500 })).toBeLessThanOrEqual(5);
  });

  it('given a shorter spacing than the engine’s, then events 10 ms apart are applied as they come', async () => {
    expect(await batchesFor({ engine: 500, projection: 0 })).toBeGreaterThanOrEqual(10);
  });
});
