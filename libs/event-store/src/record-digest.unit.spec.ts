import { MemoryEventStore } from './adapters/memory/memory-event-store';
import type { RecordedEvent } from './envelope';
import type { EventStore } from './event-store';
import { eventHash } from './hash-chain';
import { Position } from './position';
import { AnchorCheck, digestRecordSince, walkAll, type AnchorLink, type RecordAnchor } from './record-digest';
import { verifyAllStreams } from './verify-stream';
import { events } from '../../../test/contract/event-fixtures';

/** Takes an anchor the way the audit context does: the stretch after `previous`, continuing it. */
async function anchorNow(store: EventStore, anchorId: string, previous: RecordAnchor | null): Promise<RecordAnchor> {
  const link: AnchorLink | null = previous
    ? {
        anchorId: previous.anchorId,
        position: previous.position,
        eventCount: previous.eventCount,
        digest: previous.digest,
      }
    : null;
  const stretch = await digestRecordSince(store, link);
  if (!stretch.complete) throw new Error(stretch.reason);
  return {
    anchorId,
    position: stretch.position,
    eventCount: stretch.eventCount,
    digest: stretch.digest,
    previous: link,
  };
}

async function checkAgainst(store: EventStore, anchors: RecordAnchor[]) {
  const check = new AnchorCheck(anchors);
  return check.finish(await walkAll(store, (event) => check.visit(event)));
}

/** The store as someone with database access left it: its last `hidden` events gone, the head lowered. */
function withTailCutOff(store: MemoryEventStore, hidden: number): EventStore {
  const last = store.log.head() - BigInt(hidden);
  const kept = (events: RecordedEvent[]) => events.filter((event) => event.position.commit <= last);
  return {
    append: () => Promise.reject(new Error('read only')),
    readStream: async (streamId, options) => kept(await store.readStream(streamId, options)),
    readAll: async (options) => kept(await store.readAll(options)),
    subscribeToAll: () => {
      throw new Error('not used');
    },
    headPosition: () => Promise.resolve(last < 0n ? null : Position.of(last)),
    close: () => Promise.resolve(),
  };
}

/** The store after EventStoreDB scavenged `streamId`'s events (all of them, or those before `from`). */
function withScavenged(store: MemoryEventStore, streamId: string, from = Number.MAX_SAFE_INTEGER): EventStore {
  const kept = (events: RecordedEvent[]) =>
    events.filter((event) => event.streamId !== streamId || event.revision >= BigInt(from));
  return {
    ...withTailCutOff(store, 0),
    readStream: async (id, options) => kept(await store.readStream(id, options)),
    readAll: async (options) => kept(await store.readAll(options)),
  };
}

describe('audit anchors: the record checked against digests taken of it', () => {
  // Regression: anchors digested every event, so a non-GMP stream's retention (allowed by policy)
  // made an untampered record disagree with its anchors every night.
  it('given an anchor over a telemetry and an ordering stream, when the telemetry events are scavenged, then the record still agrees; an ordering event gone still disagrees', async () => {
    const store = new MemoryEventStore();
    await store.append('telemetry.s-1', events(2, 'SessionHeartbeat'), 'no_stream');
    await store.append('ordering.v-1', events(2), 'no_stream');
    await store.append('telemetry.s-1', events(1, 'SessionHeartbeat'), 1n);
    await store.append('ordering.v-2', events(1), 'no_stream');
    const anchor = await anchorNow(store, 'a1', null);
    expect(anchor.eventCount).toBe(3);

    expect((await checkAgainst(withScavenged(store, 'telemetry.s-1'), [anchor])).disagreements).toEqual([]);
    expect((await checkAgainst(withScavenged(store, 'ordering.v-1', 1), [anchor])).disagreements).toEqual([
      expect.objectContaining({ anchorId: 'a1', problem: 'digest_mismatch' }),
    ]);
  });

  it('given anchors taken as the record grew, then the untouched record agrees with every one', async () => {
    const store = new MemoryEventStore();
    await store.append('ordering.vial-1', events(2), 'no_stream');
    const first = await anchorNow(store, 'a1', null);
    expect(first).toMatchObject({ position: '1', eventCount: 2, previous: null });
    await store.append('ordering.vial-2', events(3), 'no_stream');
    const second = await anchorNow(store, 'a2', first);
    expect(second).toMatchObject({ position: '4', eventCount: 5, previous: { anchorId: 'a1', digest: first.digest } });

    expect(await checkAgainst(store, [first, second])).toEqual({
      checked: 2,
      latest: { anchorId: 'a2', position: '4' },
      disagreements: [],
    });
  });

  it('given an event rewritten with its hash chain recomputed, then the chains hold but its anchor disagrees', async () => {
    const store = new MemoryEventStore();
    await store.append('ordering.vial-1', events(2), 'no_stream');
    const first = await anchorNow(store, 'a1', null);
    await store.append('ordering.vial-2', events(1), 'no_stream');
    const second = await anchorNow(store, 'a2', first);
    // Someone with access to the store rewrites vial-1's first event and recomputes its chain
    const records = store.log.recordsOf('ordering.vial-1') ?? [];
    let prevHash: string | null = null;
    for (const record of records) {
      if (record.revision === 0n) record.payload.data = { index: 450 };
      const metadata = { ...record.payload.metadata, prevHash };
      record.payload.metadata = { ...metadata, hash: eventHash(record.type, record.payload.data, metadata) };
      prevHash = record.payload.metadata.hash ?? null;
    }

    expect((await verifyAllStreams(store)).broken).toEqual([]);
    const result = await checkAgainst(store, [first, second]);
    expect(result.disagreements).toEqual([
      expect.objectContaining({ anchorId: 'a1', position: '1', problem: 'digest_mismatch' }),
    ]);
  });

  it('given the newest events cut off and the head lowered, then the anchor they were under is not reached', async () => {
    const store = new MemoryEventStore();
    await store.append('ordering.vial-1', events(2), 'no_stream');
    await store.append('ordering.vial-2', events(1), 'no_stream');
    const anchor = await anchorNow(store, 'a1', null);

    // The tail of vial-1 would be a shorter chain that holds; only the anchor knows it was longer
    const result = await checkAgainst(withTailCutOff(store, 1), [anchor]);
    expect(result.disagreements).toEqual([
      {
        anchorId: 'a1',
        position: '2',
        problem: 'not_reached',
        message: expect.stringContaining('2 of the 3 events anchored after the start are there'),
      },
    ]);
  });

  it('given an anchor removed from the anchors on record, then the next one does not continue its predecessor', async () => {
    const store = new MemoryEventStore();
    await store.append('ordering.vial-1', events(1), 'no_stream');
    const first = await anchorNow(store, 'a1', null);
    await store.append('ordering.vial-2', events(1), 'no_stream');
    const second = await anchorNow(store, 'a2', first);
    await store.append('ordering.vial-3', events(1), 'no_stream');
    const third = await anchorNow(store, 'a3', second);

    const result = await checkAgainst(store, [first, third]);
    expect(result.disagreements).toEqual(
      expect.arrayContaining([expect.objectContaining({ anchorId: 'a3', problem: 'out_of_sequence' })]),
    );
  });

  it('given a record with an event missing before its head, then no anchor is taken of it', async () => {
    const store = new MemoryEventStore();
    await store.append('ordering.vial-1', events(3), 'no_stream');
    const holed: EventStore = {
      ...withTailCutOff(store, 0),
      // $all cut at position 1, as the MySQL store cuts a page at a missing position
      readAll: async (options) => (await store.readAll(options)).filter((event) => event.position.commit < 1n),
    };
    expect(await digestRecordSince(holed, null)).toEqual({
      complete: false,
      reason: expect.stringContaining('events are missing'),
      gap: { after: '0', head: '2' },
    });
    expect(await digestRecordSince(new MemoryEventStore(), null)).toMatchObject({ complete: false });
  });
});
