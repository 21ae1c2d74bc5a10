import { countingProjection, IGNORED } from '../../test/projections/counting-projection';
import { openProjectionTestBed, testEvent, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import { ProjectionNotCaughtUpError } from './projection-errors';

describe('waitForPosition: read-your-writes over the committed checkpoint', () => {
  let bed: ProjectionTestBed;

  beforeAll(async () => {
    bed = await openProjectionTestBed('wait');
  });

  afterAll(async () => {
    await bed.close();
  });

  it('resolves once the write is visible, in the runner process and in another process', async () => {
    const projector = bed.engine({ projections: [countingProjection()] });
    // The API process: knows the projection, runs nothing, reads the checkpoint table.
    const api = bed.engine({ projections: [countingProjection()] });
    const running = projector.reaches('running');
    projector.engine.start();
    await running;

    for (let write = 0; write < 20; write++) {
      const position = await bed.append({ count: 1, streams: 1 });
      const started = Date.now();
      await api.engine.waitForPosition('counting', position.toString());
      const rows = await bed.rows('SELECT position FROM counted_events WHERE position = ?', [position.commit]);
      expect(rows).toHaveLength(1);
      await projector.engine.waitForPosition('counting', position);
      expect(Date.now() - started).toBeLessThan(1_000);
    }

    // A position the projection does not handle is reached too: the checkpoint passes filtered events.
    const ignored = await bed.store.append('test.other-1', [testEvent(IGNORED, { amount: 1 })], 'no_stream');
    await api.engine.waitForPosition('counting', ignored.position, 2_000);
    await projector.engine.stop();
  });

  it('rejects with ProjectionNotCaughtUpError after the timeout', async () => {
    const [{ position: reachedBefore }] = await bed.rows(
      "SELECT position FROM projection_checkpoints WHERE name = 'counting' AND slot = 'live'",
    );
    const api = bed.engine({ projections: [countingProjection()] });
    const position = await bed.append({ count: 1, streams: 1 });
    const started = Date.now();
    const error = await api.engine.waitForPosition('counting', position, 300).catch((caught: unknown) => caught);
    const waited = Date.now() - started;
    expect(error).toBeInstanceOf(ProjectionNotCaughtUpError);
    expect(error).toMatchObject({ code: 'PROJECTION_NOT_CAUGHT_UP', projection: 'counting', timeoutMs: 300 });
    expect((error as ProjectionNotCaughtUpError).reached?.toString()).toBe(reachedBefore);
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(1_000);
  });
});
