import { countingProjection } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import type { Projection, ShadowMerge } from './projection';
import { projectionMetricsText, type ProjectionStatus } from './projection-status';

/**
 * Regression: a runner that looped on "runner error, standing by" (a swap it could not finish) was
 * reported healthy by /health, /metrics and `cli status`, since only a failed checkpoint counted.
 */

/** The counting projection with `counted_events` shared, so a swap merges it; `merge` decides whether the merge fails. */
function sharingProjection(merge: () => void): Projection {
  return {
    ...countingProjection({ version: 1 }),
    sharedTables: ['counted_events'],
    async mergeShadow(shadowMerge: ShadowMerge) {
      merge();
      await shadowMerge.query(`DELETE FROM ${shadowMerge.live('counted_events')}`);
      await shadowMerge.query(
        `INSERT INTO ${shadowMerge.live('counted_events')} SELECT * FROM ${shadowMerge.shadow('counted_events')}`,
      );
    },
  };
}

const UNHEALTHY_AFTER_MS = 1_000;

describe('a projection whose runner keeps failing is unhealthy', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('stuck');
    // Given the projection live and caught up, then a rebuild whose merge fails after its renames
    const head = await bed.append({ count: 200 });
    const live = bed.engine({ projections: [sharingProjection(() => undefined)] });
    live.engine.start();
    await live.engine.waitForPosition('counting', head, 30_000);
    await live.engine.stop();
    const failing = bed.engine({
      projections: [
        sharingProjection(() => {
          throw new Error('the merge fails');
        }),
      ],
    });
    await expect(failing.engine.rebuild('counting')).rejects.toThrow('the merge fails');
  });

  afterEach(async () => {
    await bed.close();
  });

  async function statusOf(engine: ReturnType<ProjectionTestBed['engine']>['engine']): Promise<ProjectionStatus> {
    const [status] = await engine.status();
    return status;
  }

  it('given a swap its runner cannot finish, when it has failed for a while, then status, metrics and the problems say so', async () => {
    // When a runner with the same failing merge takes the lock: each attempt to finish the swap fails
    const stuck = bed.engine({
      unhealthyAfterMs: UNHEALTHY_AFTER_MS,
      projections: [
        sharingProjection(() => {
          throw new Error('the merge fails');
        }),
      ],
    });
    stuck.engine.start();

    // Then it is unhealthy once it has failed for longer than the threshold
    const runnerFailing = (status: ProjectionStatus) => status.problems?.some((line) => line.startsWith('the runner'));
    let status = await statusOf(stuck.engine);
    for (let waited = 0; !runnerFailing(status) && waited < 15_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await statusOf(stuck.engine);
    }
    expect(status.healthy).toBe(false);
    expect(status.checkpoint?.status).not.toBe('failed');
    expect(status.runner).toMatchObject({ state: 'standby', note: 'the merge fails' });
    expect(status.runnerFailure).toMatchObject({ message: 'the merge fails', attempts: expect.any(Number) });
    expect(status.runnerFailure!.attempts).toBeGreaterThan(1);
    expect(status.problems).toEqual([
      expect.stringMatching(/^the runner has failed \d+ attempts in a row since .*: the merge fails$/),
      expect.stringMatching(/^a swap to version 1 was left unfinished/),
    ]);
    expect(status.rebuild).toMatchObject({ version: 1, swapPending: true });
    expect(projectionMetricsText([status])).toContain(
      'tracershop_projection_failed{projection="counting",target="record"} 1',
    );

    // And another process (the cli), which runs no runner, sees the unfinished swap from the tables
    const cli = bed.engine({ unhealthyAfterMs: UNHEALTHY_AFTER_MS, projections: [countingProjection({ version: 1 })] });
    const seen = await statusOf(cli.engine);
    expect(seen.healthy).toBe(false);
    expect(seen.runnerFailure).toBeNull();
    expect(seen.problems).toEqual([expect.stringMatching(/^a swap to version 1 was left unfinished/)]);
  });

  it('given a swap its runner finishes at the second attempt, then it is never unhealthy', async () => {
    // When the runner's first attempt fails and its second finishes the swap
    let merges = 0;
    const recovering = bed.engine({
      unhealthyAfterMs: UNHEALTHY_AFTER_MS,
      projections: [
        sharingProjection(() => {
          merges += 1;
          if (merges === 1) throw new Error('a passing failure');
        }),
      ],
    });
    recovering.engine.start();
    const more = await bed.append({ count: 20, streamPrefix: 'after' });
    const statuses: ProjectionStatus[] = [];
    const caughtUp = recovering.engine.waitForPosition('counting', more, 15_000);
    let done = false;
    void caughtUp.finally(() => (done = true)).catch(() => undefined);
    while (!done) {
      statuses.push(await statusOf(recovering.engine));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await caughtUp;

    // Then every status on the way said healthy, and it is caught up with no failure left
    expect(merges).toBe(2);
    expect(statuses.filter((status) => !status.healthy)).toEqual([]);
    const status = await statusOf(recovering.engine);
    expect(status).toMatchObject({ healthy: true, problems: [], runnerFailure: null, rebuild: null });
  });
});
