import type { Decider, DomainEvent } from '@tracershop/domain/kernel';
import { MemoryEventStore, UpcasterRegistry, type EventStore, type NewEvent } from '@tracershop/event-store';
import { StreamLoader, type MultiStreamReader } from './stream-loader';

type Added = DomainEvent<'Added', { n: number }>;
const sum: Pick<Decider<never, Added, { total: number }>, 'initialState' | 'evolve'> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.n }),
};

const added = (n: number): NewEvent => ({
  type: 'Added',
  data: { n },
  metadata: {
    eventId: crypto.randomUUID(),
    schemaVersion: 1,
    occurredAt: '2026-11-22T08:00:00.000Z',
    recordedAt: '2026-11-22T08:00:00.000Z',
    actor: { kind: 'system', id: 'system', printedName: 'Tracershop system', role: 'system' },
    correlationId: 'c',
    causationId: crypto.randomUUID(),
  },
});

/** A memory store that also reads many streams at once, counting its reads. */
function multiReading(inner: MemoryEventStore): EventStore & MultiStreamReader & { calls: string[][] } {
  const store = Object.create(inner) as EventStore & MultiStreamReader & { calls: string[][] };
  store.calls = [];
  store.readStreams = async (requests) => {
    store.calls.push(requests.map((request) => `${request.streamId}@${request.fromRevision}`));
    const found = new Map();
    for (const { streamId, fromRevision } of requests) {
      found.set(streamId, await inner.readStream(streamId, { fromRevision }).catch(() => []));
    }
    return found;
  };
  return store;
}

describe('StreamLoader', () => {
  it('given a kept fold, when the stream grew, then the load folds the new events onto it', async () => {
    const inner = new MemoryEventStore();
    const loader = new StreamLoader(inner, new UpcasterRegistry(), 10);
    await inner.append('test.sum-a', [added(1), added(2)], 'no_stream');
    expect(await loader.load('test.sum-a', sum)).toMatchObject({ state: { total: 3 }, revision: 1n });
    await inner.append('test.sum-a', [added(10)], 1n);
    expect(await loader.load('test.sum-a', sum)).toMatchObject({ state: { total: 13 }, revision: 2n });
    expect(await loader.load('test.sum-missing', sum)).toEqual({ state: { total: 0 }, revision: -1n, position: null });
  });

  it('reads the streams asked for together in one multi-stream read, from where each fold stands', async () => {
    const inner = new MemoryEventStore();
    const store = multiReading(inner);
    const loader = new StreamLoader(store, new UpcasterRegistry(), 10);
    await inner.append('test.sum-a', [added(1)], 'no_stream');
    await inner.append('test.sum-b', [added(5)], 'no_stream');
    await loader.load('test.sum-a', sum);
    const [a, b, none] = await Promise.all([
      loader.load('test.sum-a', sum),
      loader.load('test.sum-b', sum),
      loader.load('test.sum-none', sum),
    ]);
    expect([a.state.total, b.state.total, none.state.total]).toEqual([1, 5, 0]);
    expect(store.calls).toEqual([['test.sum-a@0'], ['test.sum-a@1', 'test.sum-b@0', 'test.sum-none@0']]);
  });

  it('keeps nothing when the cache size is 0', async () => {
    const inner = new MemoryEventStore();
    const store = multiReading(inner);
    const loader = new StreamLoader(store, new UpcasterRegistry(), 0);
    await inner.append('test.sum-a', [added(1)], 'no_stream');
    await loader.load('test.sum-a', sum);
    await loader.load('test.sum-a', sum);
    expect(store.calls).toEqual([['test.sum-a@0'], ['test.sum-a@0']]);
  });
});
