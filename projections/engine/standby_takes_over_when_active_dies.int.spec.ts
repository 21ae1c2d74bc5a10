import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection } from '../../test/projections/counting-projection';
import {
  killSessions,
  openProjectionTestBed,
  type ProjectionTestBed,
} from '../../test/projections/projection-test-bed';
import { runnerLockName } from './physical-names';

describe('one runner per projection is active; a standby takes over when it dies', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('standby');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('the standby stays idle while the active runs, and takes over within seconds once it dies', async () => {
    const head = await bed.append({ count: 4_000, ignoredEvery: 5 });
    const active = bed.engine({ projections: [countingProjection()], maxBatchEvents: 50, instanceId: 'active' });
    const standby = bed.engine({ projections: [countingProjection()], maxBatchEvents: 50, instanceId: 'standby' });
    const activeRunning = active.reaches('running');
    active.engine.start();
    await activeRunning;
    standby.engine.start();
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(standby.states).toEqual(['standby']);
    const [before] = await bed.rows("SELECT active_instance FROM projection_checkpoints WHERE name = 'counting'");
    expect(before.active_instance).toBe('active');

    const tookOver = standby.reaches('running');
    const diedAt = Date.now();
    const ending = active.pool.end().catch(() => undefined);
    await killSessions(bed.pool, active.sessions);
    await ending;
    await tookOver;
    const takeoverMs = Date.now() - diedAt;
    expect(takeoverMs).toBeLessThan(3_000);

    await standby.engine.waitForPosition('counting', head, 30_000);
    await expectEveryEventCountedOnce(bed);
    const [after] = await bed.rows("SELECT active_instance FROM projection_checkpoints WHERE name = 'counting'");
    expect(after.active_instance).toBe('standby');
    console.info(`standby took over ${takeoverMs} ms after the active runner died`);
  });

  it('a runner whose lock session dies stops applying at once and the projection continues exactly once', async () => {
    const head = await bed.append({ count: 3_000 });
    const first = bed.engine({ projections: [countingProjection()], maxBatchEvents: 50 });
    const second = bed.engine({ projections: [countingProjection()], maxBatchEvents: 50 });
    const running = first.reaches('running');
    first.engine.start();
    await running;
    second.engine.start();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const lockName = runnerLockName(bed.recordDatabase, 'counting');
    const [{ holder }] = await bed.rows('SELECT IS_USED_LOCK(?) AS holder', [lockName]);
    const standingDown = first.reaches('standby', 2_000);
    const killedAt = Date.now();
    await killSessions(bed.pool, [Number(holder)]);
    await standingDown;
    // The session's end is noticed at once, not at the next keep-alive check.
    expect(Date.now() - killedAt).toBeLessThan(500);

    await second.engine.waitForPosition('counting', head, 30_000);
    await expectEveryEventCountedOnce(bed);
  });
});
