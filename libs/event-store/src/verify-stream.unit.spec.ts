import { randomUUID } from 'node:crypto';
import { MemoryEventStore } from './adapters/memory/memory-event-store';
import type { NewEvent } from './envelope';
import { verifyAllStreams, verifyStream, verifyStreamAndSignatures, type SignatureVerifier } from './verify-stream';

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
    expect(await verifyAllStreams(store)).toEqual({ streams: 2, events: 4, broken: [], upTo: '3', gap: null });
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

  it('given a verifier, then every signed event is checked and those that do not hold are named', async () => {
    const store = new MemoryEventStore();
    const signed = (n: number): NewEvent => {
      const base = event(n);
      return {
        ...base,
        metadata: {
          ...base.metadata,
          signature: { signerId: 'u', printedName: 'U', meaning: 'release', signedAt: 'now', recordHash: `h${n}` },
        },
      };
    };
    await store.append('a-1', [event(1), signed(2)], 'no_stream');
    await store.append('b-1', [signed(3)], 'no_stream');
    // Here a signature holds when it signed an even n.
    const verify: SignatureVerifier = (recorded) =>
      recorded.metadata.signature ? (recorded.data as { n: number }).n % 2 === 0 : null;
    const report = await verifyAllStreams(store, undefined, verify);
    expect(report.signatures).toEqual({
      checked: 2,
      unverified: [
        { streamId: 'b-1', revision: '0', eventId: expect.any(String), type: 'Counted', meaning: 'release' },
      ],
    });
    expect(report.broken).toEqual([]);
    expect((await verifyAllStreams(store)).signatures).toBeUndefined();
    const one = await verifyStreamAndSignatures(store, 'a-1', verify);
    expect(one).toMatchObject({ chain: { ok: true, eventCount: 2 }, signatures: { checked: 1, unverified: [] } });
  });

  it('given an empty store, then there is nothing to verify', async () => {
    expect(await verifyAllStreams(new MemoryEventStore())).toEqual({
      streams: 0,
      events: 0,
      broken: [],
      upTo: null,
      gap: null,
    });
  });
});
