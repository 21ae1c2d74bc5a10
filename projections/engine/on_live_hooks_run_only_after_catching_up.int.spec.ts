import type { RecordedEvent } from '@tracershop/event-store';
import { countingProjection } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';

describe('onLive hooks run for live events only, never while catching up or rebuilding', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('onlive');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('replayed history and rebuilds fire nothing; each live event fires once, after its commit', async () => {
    const history = await bed.append({ count: 1_500 });
    const fired: string[] = [];
    const committedWhenFired: boolean[] = [];
    const onLive = async (events: readonly RecordedEvent[]) => {
      for (const event of events) {
        fired.push(event.metadata.eventId);
        const rows = await bed.rows('SELECT 1 FROM counted_events WHERE event_id = ?', [event.metadata.eventId]);
        committedWhenFired.push(rows.length === 1);
      }
    };
    const { engine, reaches } = bed.engine({ projections: [countingProjection({ onLive })], maxBatchEvents: 100 });
    const running = reaches('running');
    engine.start();
    await running;
    await engine.waitForPosition('counting', history, 30_000);
    // Live once the subscription has said it caught up, which may come a read after the checkpoint.
    while (!(await engine.status())[0].runner.live) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fired).toEqual([]);

    let last = history;
    for (let write = 0; write < 5; write++) {
      last = await bed.append({ count: 6, streams: 2, streamPrefix: `live${write}-` });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await engine.waitForPosition('counting', last, 10_000);
    const live = (await bed.store.readAll({ fromPosition: history })).map((event) => event.metadata.eventId);
    // The hook runs after the commit that waitForPosition saw.
    for (let waited = 0; fired.length < live.length && waited < 2_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(fired).toEqual(live);
    expect(committedWhenFired.every(Boolean)).toBe(true);

    await engine.rebuild('counting');
    expect(fired).toEqual(live);
  });
});
