import type { RecordedEvent } from '@tracershop/event-store';
import { countingProjection, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import type { Projection } from './projection';

describe('a preload that fails stops its projection at the event it read for', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('preload');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('given a batch whose preload fails on one event, when it is applied again one event at a time, then that event is named, not the first', async () => {
    await bed.append({ count: 40, streams: 2, poisonAt: [25] });
    const poison = (await bed.store.readAll()).find((event) => (event.data as CountedData).poison === true);
    if (!poison) throw new Error('no poisoned event appended');
    const counting = countingProjection();
    const preloading: Projection = {
      ...counting,
      // A preload that cannot read what the poisoned event names (a batch flush makes the engine
      // try the batch whole first).
      async prepareBatch(events) {
        if (events.some((event) => (event as RecordedEvent<CountedData>).data.poison === true)) {
          throw new Error('cannot preload the poisoned event');
        }
      },
      async flushBatch() {},
    };
    const { engine, reaches } = bed.engine({ projections: [preloading], maxBatchEvents: 100 });
    const failed = reaches('failed');
    engine.start();
    await failed;

    const [status] = await engine.status();
    expect(status.failure).toMatchObject({ eventId: poison.metadata.eventId });
    expect(status.failure?.message).toContain('cannot preload the poisoned event');
    expect(status.failure?.position.equals(poison.position)).toBe(true);
    expect(status.checkpoint?.position.isBefore(poison.position)).toBe(true);
    await engine.stop();
  });
});
