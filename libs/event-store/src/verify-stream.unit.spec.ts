import { randomUUID } from 'node:crypto';
import { MemoryEventStore } from './adapters/memory/memory-event-store';
import type { NewEvent } from './envelope';
import { StreamNotFoundError } from './errors';
import type { EventStore, StreamRetention } from './event-store';
import { digestRecordSince } from './record-digest';
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

/** The store with some of its answers replaced. */
const storeWith = (store: MemoryEventStore, answers: Partial<EventStore>): EventStore => ({
  append: (streamId, newEvents, expected) => store.append(streamId, newEvents, expected),
  readStream: (streamId, options) => store.readStream(streamId, options),
  readAll: (options) => store.readAll(options),
  subscribeToAll: (options) => store.subscribeToAll(options),
  headPosition: () => store.headPosition(),
  close: () => store.close(),
  ...answers,
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

  it('given a stream $all lists but that reads as missing, then it is reported as broken and the others are checked', async () => {
    const store = new MemoryEventStore();
    await store.append('a-1', [event(1)], 'no_stream');
    await store.append('b-1', [event(2)], 'no_stream');
    // As a soft-deleted EventStoreDB stream reads: its events stay in $all until scavenged
    const deleted = storeWith(store, {
      readStream: (streamId, options) =>
        streamId === 'a-1' ? Promise.reject(new StreamNotFoundError(streamId)) : store.readStream(streamId, options),
    });
    const report = await verifyAllStreams(deleted);
    expect(report).toMatchObject({ streams: 2, events: 1 });
    expect(report.broken).toEqual([
      expect.objectContaining({ streamId: 'a-1', brokenAt: 0n, problem: 'stream_not_found' }),
    ]);
  });

  it('given a store that can forget, then each protected stream set to is reported, and no other', async () => {
    const store = new MemoryEventStore();
    await store.append('ordering.vial-1', [event(1)], 'no_stream');
    await store.append('ordering.vial-2', [event(2)], 'no_stream');
    await store.append('telemetry.session-1', [event(3)], 'no_stream');
    const retention: Record<string, StreamRetention> = {
      'ordering.vial-2': { maxAge: 3600 },
      'telemetry.session-1': { maxCount: 10 },
    };
    const forgetful = storeWith(store, { retentionOf: (streamId) => Promise.resolve(retention[streamId] ?? null) });
    const protectedStream = (streamId: string) => !streamId.startsWith('telemetry.');
    const report = await verifyAllStreams(forgetful, undefined, undefined, { protectedStream });
    expect(report.retention).toEqual([{ streamId: 'ordering.vial-2', maxAge: 3600 }]);
    // A store that cannot forget is not asked
    expect((await verifyAllStreams(store, undefined, undefined, { protectedStream })).retention).toBeUndefined();
  });

  it('given anchors, then the same walk checks the record against them', async () => {
    const store = new MemoryEventStore();
    await store.append('a-1', [event(1), event(2)], 'no_stream');
    const stretch = await digestRecordSince(store, null);
    if (!stretch.complete) throw new Error(stretch.reason);
    const anchor = { anchorId: 'a1', ...stretch, previous: null };
    expect((await verifyAllStreams(store, undefined, undefined, { anchors: [anchor] })).anchors).toEqual({
      checked: 1,
      latest: { anchorId: 'a1', position: '1' },
      disagreements: [],
    });
    const forged = { ...anchor, digest: '0'.repeat(64) };
    expect((await verifyAllStreams(store, undefined, undefined, { anchors: [forged] })).anchors?.disagreements).toEqual(
      [expect.objectContaining({ anchorId: 'a1', problem: 'digest_mismatch' })],
    );
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
