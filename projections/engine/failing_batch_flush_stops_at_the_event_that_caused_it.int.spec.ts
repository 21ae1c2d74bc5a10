import type { RecordedEvent } from '@tracershop/event-store';
import { expectEveryEventCountedOnce } from '../../test/projections/counting-expectations';
import { countingProjection, type CountedData } from '../../test/projections/counting-projection';
import { openProjectionTestBed, type ProjectionTestBed } from '../../test/projections/projection-test-bed';
import type { Projection, ProjectionTransaction } from './projection';

/** The counting projection, with a batch flush that fails for the batch holding the poisoned event. */
function flushingProjection(poisoned: () => boolean): Projection {
  const inner = countingProjection();
  const pending = new WeakMap<ProjectionTransaction, RecordedEvent[]>();
  return {
    ...inner,
    async handle(event, tx) {
      await inner.handle(event, tx);
      pending.set(tx, [...(pending.get(tx) ?? []), event]);
    },
    flushBatch(tx) {
      const events = pending.get(tx) ?? [];
      pending.delete(tx);
      const poison = events.find((event) => poisoned() && (event.data as CountedData).poison === true);
      return poison ? Promise.reject(new Error(`cannot flush ${poison.metadata.eventId}`)) : Promise.resolve();
    },
  };
}

describe('a batch flush that fails', () => {
  let bed: ProjectionTestBed;

  beforeEach(async () => {
    bed = await openProjectionTestBed('flushfail');
  });

  afterEach(async () => {
    await bed.close();
  });

  it('stops the projection at the event that caused it, keeping nothing of its batch, and resumes once fixed', async () => {
    let poisoned = true;
    const head = await bed.append({ count: 300, streams: 3, poisonAt: [170] });
    const poison = (await bed.store.readAll()).find((event) => (event.data as CountedData).poison === true);
    if (!poison) throw new Error('no poisoned event appended');
    const { engine, reaches } = bed.engine({ projections: [flushingProjection(() => poisoned)], maxBatchEvents: 100 });
    const failed = reaches('failed');
    engine.start();
    await failed;

    const [status] = await engine.status();
    expect(status.failure).toMatchObject({ eventId: poison.metadata.eventId });
    expect(status.failure?.message).toContain(`cannot flush ${poison.metadata.eventId}`);
    const atOrAfter = await bed.rows('SELECT COUNT(*) AS n FROM counted_events WHERE position >= ?', [
      poison.position.commit,
    ]);
    expect(Number(atOrAfter[0].n)).toBe(0);

    poisoned = false;
    await engine.retry('counting');
    await engine.waitForPosition('counting', head, 10_000);
    await expectEveryEventCountedOnce(bed);
  });
});
