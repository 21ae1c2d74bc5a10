import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection } from '../../test/projections/counting-projection';
import { withFailingSubscriptions } from '../../test/projections/failing-subscriptions';
import {
  killSessions,
  openProjectionTestBed,
  type ProjectionTestBed,
} from '../../test/projections/projection-test-bed';

describe('a restarted runner resumes from its checkpoint and applies every event exactly once', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('restart');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('after graceful stops at random moments', async () => {
    const head = await bed.append({ count: 4_000, ignoredEvery: 7 });
    for (let restart = 0; restart < 6; restart++) {
      const { engine } = bed.engine({ projections: [countingProjection()], maxBatchEvents: 50 });
      engine.start();
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 300));
      await engine.stop();
    }
    const [partial] = await bed.rows("SELECT position FROM projection_checkpoints WHERE name = 'counting'");
    expect(partial.position).not.toBe('start');

    const { engine } = bed.engine({ projections: [countingProjection()] });
    engine.start();
    await engine.waitForPosition('counting', head, 30_000);
    await expectEveryEventCountedOnce(bed);
  });

  it('after its sessions die mid-batch, as in a crash', async () => {
    const head = await bed.append({ count: 4_000, ignoredEvery: 7 });
    for (let crash = 0; crash < 4; crash++) {
      const crashing = bed.engine({ projections: [countingProjection()], maxBatchEvents: 50 });
      const running = crashing.reaches('running');
      crashing.engine.start();
      await running;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
      // The pool is closed first so the engine cannot reconnect: the process is gone, as far as MySQL knows.
      const ending = crashing.pool.end().catch(() => undefined);
      await killSessions(bed.pool, crashing.sessions);
      await ending;
      await crashing.engine.stop();
    }
    const { engine } = bed.engine({ projections: [countingProjection()] });
    engine.start();
    await engine.waitForPosition('counting', head, 30_000);
    await expectEveryEventCountedOnce(bed);
  });

  it('after its subscription fails, it resubscribes from the stored checkpoint, keeping its lock', async () => {
    const head = await bed.append({ count: 4_000, ignoredEvery: 7 });
    const warnings: string[] = [];
    const { engine, reaches, states } = bed.engine({
      projections: [countingProjection()],
      maxBatchEvents: 50,
      eventStore: withFailingSubscriptions(bed.store, 3, 777),
      logger: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
    });
    const running = reaches('running');
    engine.start();
    await running;
    await engine.waitForPosition('counting', head, 30_000);
    expect(states).toEqual(['standby', 'running']);
    expect(warnings.filter((warning) => warning.includes('resubscribing'))).toHaveLength(3);
    await expectEveryEventCountedOnce(bed);
  });
});
