import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';

describe('a deployment with a newer projection version rebuilds it by itself', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('outdated');
    await bed.append({ count: 2_000, ignoredEvery: 10 });
    // Version 1 was deployed and caught up, then its process stopped.
    const old = bed.engine({ projections: [countingProjection({ version: 1 })] });
    old.engine.start();
    await old.engine.waitForPosition('counting', (await bed.store.headPosition())!, 30_000);
    await old.engine.stop();
  });

  afterEach(async () => {
    await bed.close();
  });

  it('given live tables of version 1, when version 2 starts and rebuilds what is outdated, then version 2 serves every event once', async () => {
    const next = bed.engine({ projections: [countingProjection({ version: 2 })] });
    next.engine.start();

    const reports = await next.engine.rebuildOutdated();

    expect(reports).toEqual([expect.objectContaining({ projection: 'counting', version: 2, replacedVersion: 1 })]);
    await bed.append({ count: 50, streamPrefix: 'after' });
    await next.engine.waitForPosition('counting', (await bed.store.headPosition())!, 30_000);
    const [status] = await next.engine.status();
    expect(status.checkpoint).toMatchObject({ version: 2 });
    await expectEveryEventCountedOnce(bed);
    // Up to date now: a second call finds nothing to do.
    expect(await next.engine.rebuildOutdated()).toEqual([]);
  });

  it('given the process stops at once, when the rebuild is aborted, then version 1 stays live and nothing is swapped', async () => {
    const next = bed.engine({ projections: [countingProjection({ version: 2 })] });
    const stopping = new AbortController();
    stopping.abort();

    expect(await next.engine.rebuildOutdated(stopping.signal)).toEqual([]);
    const [status] = await next.engine.status();
    expect(status.checkpoint).toMatchObject({ version: 1 });
  });

  it('given the abort comes while the shadow tables fill, then the rebuild stops before the swap', async () => {
    const next = bed.engine({ projections: [countingProjection({ version: 2 })], rebuildBatchEvents: 100 });
    const stopping = new AbortController();
    const rebuilding = next.engine.rebuild('counting', { signal: stopping.signal });
    setTimeout(() => stopping.abort(), 20);

    await expect(rebuilding).rejects.toThrow(/stopped|lost its lock/);
    const [status] = await next.engine.status();
    expect(status.checkpoint).toMatchObject({ version: 1 });
    expect(status.rebuild).toMatchObject({ version: 2 });
  });
});
