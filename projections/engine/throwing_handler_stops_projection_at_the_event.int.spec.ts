import type { RecordedEvent } from '@tracershop/event-store';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import { ProjectionNotCaughtUpError } from './projection-errors';

describe('a handler that throws stops its projection at that event', () => {
  let bed: ProjectionTestBed;
  let poisoned: boolean;
  const failOn = (event: RecordedEvent<CountedData>) => poisoned && event.data.poison === true;

  beforeEach(async () => {
    bed = await openProjectionTestBed('failed');
    poisoned = true;
  });

  afterEach(async () => {
    await bed.close();
  });

  async function poisonEvent(): Promise<RecordedEvent> {
    const poison = (await bed.store.readAll()).find((event) => (event.data as CountedData).poison === true);
    if (!poison) throw new Error('no poisoned event appended');
    return poison;
  }

  it('records position, event id, type and error, skips nothing, and resumes on an operator retry once fixed', async () => {
    const head = await bed.append({ count: 600, streams: 3, poisonAt: [350] });
    const poison = await poisonEvent();
    const { engine, reaches } = bed.engine({ projections: [countingProjection({ failOn })], maxBatchEvents: 100 });
    const failed = reaches('failed');
    engine.start();
    await failed;

    const [status] = await engine.status();
    expect(status.healthy).toBe(false);
    expect(status.runner.state).toBe('failed');
    expect(status.checkpoint?.status).toBe('failed');
    expect(status.failure).toMatchObject({ eventId: poison.metadata.eventId, eventType: 'Counted' });
    expect(status.failure?.position.equals(poison.position)).toBe(true);
    expect(status.failure?.message).toContain(`cannot count ${poison.metadata.eventId}`);
    expect(status.checkpoint?.position.isBefore(poison.position)).toBe(true);
    expect(status.lag.events).toBeGreaterThan(0);

    // Nothing at or after the poison was applied, and more events do not move it on.
    const afterPoison = () =>
      bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE position >= ?', [poison.position.commit]);
    expect(Number((await afterPoison())[0].n)).toBe(0);
    const later = await bed.append({ count: 50, streams: 2, streamPrefix: 'later' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(Number((await afterPoison())[0].n)).toBe(0);
    await expect(engine.waitForPosition('counting', head, 2_000)).rejects.toMatchObject({
      code: 'PROJECTION_NOT_CAUGHT_UP',
      status: 'failed',
    });

    // The operator retries from another process (the CLI); the failed runner notices in the table.
    poisoned = false;
    const operator = bed.engine({ projections: [countingProjection()] });
    await operator.engine.retry('counting');
    await engine.waitForPosition('counting', later, 10_000);
    await expectEveryEventCountedOnce(bed);
    const [healed] = await engine.status();
    expect(healed).toMatchObject({ healthy: true, failure: null, runner: { state: 'running' } });
  });

  it('a restarted process resumes from the checkpoint where the failed one stopped', async () => {
    const head = await bed.append({ count: 400, streams: 2, poisonAt: [200] });
    const broken = bed.engine({ projections: [countingProjection({ failOn })], maxBatchEvents: 64 });
    const failed = broken.reaches('failed');
    broken.engine.start();
    await failed;
    await broken.engine.stop();
    const [row] = await bed.rows("SELECT status, failed_event_id FROM projection_checkpoints WHERE name = 'counting'");
    expect(row).toMatchObject({ status: 'failed', failed_event_id: (await poisonEvent()).metadata.eventId });

    const fixed = bed.engine({ projections: [countingProjection()] });
    fixed.engine.start();
    await fixed.engine.waitForPosition('counting', head, 10_000);
    await expectEveryEventCountedOnce(bed);
  });

  it('waitForPosition times out with a typed error that says the projection has failed', async () => {
    const head = await bed.append({ count: 10, streams: 1, poisonAt: [0] });
    const { engine, reaches } = bed.engine({ projections: [countingProjection({ failOn })] });
    const failed = reaches('failed');
    engine.start();
    await failed;
    const error = await engine.waitForPosition('counting', head, 300).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProjectionNotCaughtUpError);
    expect(error).toMatchObject({ status: 'failed', timeoutMs: 300 });
    expect((error as ProjectionNotCaughtUpError).reached?.isStart()).toBe(true);
  });
});
