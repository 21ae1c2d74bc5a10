import { randomUUID } from 'node:crypto';
import { MemoryEventStore } from './adapters/memory/memory-event-store';
import type { NewEvent } from './envelope';
import { verifyAllStreams, verifyStream } from './verify-stream';

const event = (n: number): NewEvent => ({
  type: 'Counted',
  data: { n },
  metadata: {
    eventId: randomUUID(),
    schemaVersion: 1,
    occurredAt: '2026-11-22T00:00:00.000Z',
    recordedAt: '2026-11-22T00:00:00.000Z',
    actor: { kind: 'system', id: 'test', printedName: 'Test', role: 'system' },
    correlationId: 'c',
    causationId: 'c',
  },
});

describe('hash chain verification of stored streams', () => {
  it('given intact streams, then every stream verifies and the events are counted', async () => {
    const store = new MemoryEventStore();
    await store.append('a-1', [event(1), event(2)], 'no_stream');
    await store.append('b-1', [event(3)], 'no_stream');
    await store.append('a-1', [event(4)], 1n);
    expect(await verifyAllStreams(store)).toEqual({ streams: 2, events: 4, broken: [], upTo: '3' });
    expect(await verifyStream(store, 'a-1')).toMatchObject({ ok: true, eventCount: 3 });
  });

  it('given one tampered stream, then it alone is reported, with where it breaks', async () => {
    const store = new MemoryEventStore();
    await store.append('a-1', [event(1), event(2)], 'no_stream');
    await store.append('b-1', [event(3), event(4)], 'no_stream');
    const records = store.log.recordsOf('b-1');
    if (!records) throw new Error('missing stream');
    records[1].payload.data = { n: 40 };
    const report = await verifyAllStreams(store);
    expect(report.streams).toBe(2);
    expect(report.broken).toEqual([
      expect.objectContaining({ streamId: 'b-1', brokenAt: 1n, problem: 'hash_mismatch' }),
    ]);
  });

  it('given an empty store, then there is nothing to verify', async () => {
    expect(await verifyAllStreams(new MemoryEventStore())).toEqual({ streams: 0, events: 0, broken: [], upTo: null });
  });
});
