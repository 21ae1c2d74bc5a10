import { randomUUID } from 'node:crypto';
import {
  AppendTooLargeError,
  DuplicateEventIdError,
  EventTooLargeError,
  InvalidEventError,
  InvalidExpectedRevisionError,
  InvalidStreamNameError,
  Position,
  StreamNotFoundError,
  verifyStream,
  WrongExpectedVersionError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type SubscriptionFilter,
  type SubscriptionMessage,
} from '@tracershop/event-store';
import type { ContractFixture, ContractSubject } from './contract-fixture';
import { events, eventsOf, newEvent, readUntil, uniqueStream } from './event-fixtures';

/**
 * The behaviour every EventStore adapter must have. Written once; each adapter's spec calls it with
 * its own fixture. Tests use unique stream names, so they also run against a shared real server.
 */
export function eventStoreContract(fixture: ContractFixture): void {
  describe(`EventStore contract: ${fixture.name}`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await fixture.create();
      store = subject.store;
    });

    afterAll(async () => {
      await subject?.dispose();
    });

    async function streamLength(streamId: string): Promise<number> {
      try {
        return (await store.readStream(streamId)).length;
      } catch (error) {
        if (error instanceof StreamNotFoundError) return 0;
        throw error;
      }
    }

    describe('append with an expected revision', () => {
      it('given no stream, when appending with no_stream, then the stream starts at revision 0', async () => {
        const stream = uniqueStream();
        const result = await store.append(stream, events(2), 'no_stream');
        expect(result.nextExpectedRevision).toBe(1n);
        const read = await store.readStream(stream);
        expect(read.map((event) => event.revision)).toEqual([0n, 1n]);
        expect(read[1].position.equals(result.position)).toBe(true);
        expect(read[0].position.isBefore(read[1].position)).toBe(true);
      });

      it('given a stream, when appending with no_stream, then WrongExpectedVersion and nothing is written', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(1), 'no_stream');
        await expect(store.append(stream, events(1), 'no_stream')).rejects.toBeInstanceOf(WrongExpectedVersionError);
        expect(await streamLength(stream)).toBe(1);
      });

      it('given a stream at revision 1, when appending at revision 0, then WrongExpectedVersion names both', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(2), 'no_stream');
        const failure = await store.append(stream, events(3), 0n).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(WrongExpectedVersionError);
        expect(failure).toMatchObject({ streamId: stream, expected: '0', actual: '1', code: 'WRONG_EXPECTED_VERSION' });
        expect(await streamLength(stream)).toBe(2);
      });

      it('given a stream at revision 1, when appending at revision 1, then the events follow', async () => {
        const stream = uniqueStream();
        const first = await store.append(stream, events(2), 'no_stream');
        const second = await store.append(stream, events(1), first.nextExpectedRevision);
        expect(second.nextExpectedRevision).toBe(2n);
        expect(second.position.isAfter(first.position)).toBe(true);
      });

      it('given no stream, when appending with a revision, then WrongExpectedVersion', async () => {
        const stream = uniqueStream();
        await expect(store.append(stream, events(1), 0n)).rejects.toMatchObject({ actual: 'no_stream' });
        expect(await streamLength(stream)).toBe(0);
      });

      it('stream_exists fails on a missing stream and succeeds on an existing one', async () => {
        const stream = uniqueStream();
        await expect(store.append(stream, events(1), 'stream_exists')).rejects.toBeInstanceOf(
          WrongExpectedVersionError,
        );
        expect(await streamLength(stream)).toBe(0);
        await store.append(stream, events(1), 'no_stream');
        const result = await store.append(stream, events(1), 'stream_exists');
        expect(result.nextExpectedRevision).toBe(1n);
      });

      it('any appends to a new and to an existing stream', async () => {
        const stream = uniqueStream();
        expect((await store.append(stream, events(1), 'any')).nextExpectedRevision).toBe(0n);
        expect((await store.append(stream, events(2), 'any')).nextExpectedRevision).toBe(2n);
        expect((await verifyStream(store, stream)).ok).toBe(true);
      });
    });

    describe('idempotent retries', () => {
      it.each<[string, ExpectedRevision]>([
        ['no_stream', 'no_stream'],
        ['any', 'any'],
      ])('re-appending the same event ids with %s returns the first result and writes nothing', async (_, expected) => {
        const stream = uniqueStream();
        const batch = events(3);
        const first = await store.append(stream, batch, expected);
        const again = await store.append(stream, batch, expected);
        expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
        expect(again.position.equals(first.position)).toBe(true);
        expect(await streamLength(stream)).toBe(3);
      });

      it('re-appending the same ids at the same revision after more events returns the first result', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(1), 'no_stream');
        const batch = events(2);
        const first = await store.append(stream, batch, 0n);
        await store.append(stream, events(1), first.nextExpectedRevision);
        const again = await store.append(stream, batch, 0n);
        expect(again.nextExpectedRevision).toBe(2n);
        expect(again.position.equals(first.position)).toBe(true);
        expect(await streamLength(stream)).toBe(4);
      });

      it('event ids already stored in another stream are refused', async () => {
        const batch = events(1);
        await store.append(uniqueStream(), batch, 'no_stream');
        const other = uniqueStream();
        await expect(store.append(other, batch, 'no_stream')).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await streamLength(other)).toBe(0);
      });
    });

    describe('reading a stream', () => {
      let stream: string;

      beforeAll(async () => {
        stream = uniqueStream();
        await store.append(stream, events(10), 'no_stream');
      });

      const revisions = (list: Array<{ revision: bigint }>) => list.map((event) => Number(event.revision));

      it('reads forwards from the start', async () => {
        expect(revisions(await store.readStream(stream))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });

      it('reads backwards from the end', async () => {
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([
          9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
        ]);
      });

      it('reads forwards from a revision with maxCount', async () => {
        expect(revisions(await store.readStream(stream, { fromRevision: 4n, maxCount: 3 }))).toEqual([4, 5, 6]);
      });

      it('reads backwards from a revision with maxCount', async () => {
        const read = await store.readStream(stream, { direction: 'backwards', fromRevision: 4n, maxCount: 3 });
        expect(revisions(read)).toEqual([4, 3, 2]);
      });

      it('reads the last event backwards with maxCount 1', async () => {
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 1 }))).toEqual([9]);
      });

      it('reads nothing past the end', async () => {
        expect(await store.readStream(stream, { fromRevision: 10n })).toEqual([]);
      });

      it('a stream with no events gives a clear StreamNotFound', async () => {
        const missing = uniqueStream();
        const failure = await store.readStream(missing).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(StreamNotFoundError);
        expect(failure).toMatchObject({ code: 'STREAM_NOT_FOUND', streamId: missing });
      });
    });

    describe('reading $all', () => {
      it('reads events strictly after a position, in global order', async () => {
        const before = await store.headPosition();
        const a = uniqueStream();
        const b = uniqueStream();
        await store.append(a, [newEvent('OrderPlaced', { n: 1 })], 'no_stream');
        await store.append(b, [newEvent('OrderPlaced', { n: 2 })], 'no_stream');
        const last = await store.append(a, [newEvent('OrderAccepted', { n: 3 })], 0n);
        const read = await store.readAll({ fromPosition: before ?? Position.START, maxCount: 10_000 });
        const ours = read.filter((event) => event.streamId === a || event.streamId === b);
        expect(ours.map((event) => event.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
        for (let i = 1; i < read.length; i++) expect(read[i].position.isAfter(read[i - 1].position)).toBe(true);
        if (before) expect(read.every((event) => event.position.isAfter(before))).toBe(true);
        const head = await store.headPosition();
        expect(head && head.compareTo(last.position) >= 0).toBe(true);
      });

      it('reads with maxCount, and from the position of an event it read', async () => {
        const before = (await store.headPosition()) ?? Position.START;
        const stream = uniqueStream();
        await store.append(stream, events(5), 'no_stream');
        const firstTwo = await store.readAll({ fromPosition: before, maxCount: 2 });
        expect(firstTwo).toHaveLength(2);
        const rest = await store.readAll({ fromPosition: firstTwo[1].position, maxCount: 10_000 });
        const ours = [...firstTwo, ...rest].filter((event) => event.streamId === stream);
        expect(ours.map((event) => Number(event.revision))).toEqual([0, 1, 2, 3, 4]);
      });
    });

    describe('positions', () => {
      it('are comparable and survive serialisation', async () => {
        const stream = uniqueStream();
        const first = await store.append(stream, events(1), 'no_stream');
        const second = await store.append(stream, events(1), 0n);
        const restored = Position.parse(JSON.parse(JSON.stringify({ at: second.position })).at as string);
        expect(restored.equals(second.position)).toBe(true);
        expect(restored.isAfter(first.position)).toBe(true);
        expect(Position.START.isBefore(first.position)).toBe(true);
      });
    });

    describe('subscribing to $all', () => {
      it('from the start: catch-up in order, caughtUp once, then live events', async () => {
        const category = `contract.sub${randomUUID().slice(0, 8)}.`;
        const stream = `${category}order-1`;
        await store.append(stream, events(3), 'no_stream');
        const subscription = store.subscribeToAll({ fromPosition: 'start', filter: { streamPrefixes: [category] } });
        try {
          const caughtUp = await readUntil(subscription, (seen) => seen.some((m) => m.kind === 'caughtUp'), 30_000);
          expect(eventsOf(caughtUp, category).map((event) => Number(event.revision))).toEqual([0, 1, 2]);
          await store.append(stream, events(2), 2n);
          const live = await readUntil(subscription, (seen) => eventsOf(seen, category).length === 2);
          expect(eventsOf(live, category).map((event) => Number(event.revision))).toEqual([3, 4]);
          expect([...caughtUp, ...live].filter((m) => m.kind === 'caughtUp')).toHaveLength(1);
        } finally {
          await subscription.close();
        }
      });

      it('from a stored position: only the events after it', async () => {
        const category = `contract.sub${randomUUID().slice(0, 8)}.`;
        const stream = `${category}order-1`;
        const stored = await store.append(stream, events(2), 'no_stream');
        await store.append(stream, events(2), 1n);
        const subscription = store.subscribeToAll({
          fromPosition: Position.parse(stored.position.toString()),
          filter: { streamPrefixes: [category] },
        });
        try {
          const seen = await readUntil(subscription, (messages) => eventsOf(messages, category).length === 2);
          expect(eventsOf(seen, category).map((event) => Number(event.revision))).toEqual([2, 3]);
        } finally {
          await subscription.close();
        }
      });

      it('from the end: only events appended after subscribing', async () => {
        const category = `contract.sub${randomUUID().slice(0, 8)}.`;
        const stream = `${category}order-1`;
        await store.append(stream, events(2), 'no_stream');
        const subscription = store.subscribeToAll({ fromPosition: 'end', filter: { streamPrefixes: [category] } });
        try {
          await readUntil(subscription, (seen) => seen.some((m) => m.kind === 'caughtUp'));
          await store.append(stream, events(1), 1n);
          const seen = await readUntil(subscription, (messages) => eventsOf(messages, category).length === 1);
          expect(eventsOf(seen, category).map((event) => Number(event.revision))).toEqual([2]);
        } finally {
          await subscription.close();
        }
      });

      it('filters by stream prefix and by event type prefix', async () => {
        const tag = randomUUID().slice(0, 8);
        const ordering = `contract.ord${tag}.`;
        const catalog = `contract.cat${tag}.`;
        const before = (await store.headPosition()) ?? Position.START;
        await store.append(
          `${ordering}order-1`,
          [newEvent('OrderPlaced', {}), newEvent('OrderAccepted', {})],
          'no_stream',
        );
        await store.append(`${catalog}tracer-1`, [newEvent('TracerRegistered', {})], 'no_stream');
        await store.append(
          `${ordering}order-2`,
          [newEvent('OrderPlaced', {}), newEvent('OrderCancelled', {})],
          'no_stream',
        );
        const byStream = store.subscribeToAll({ fromPosition: before, filter: { streamPrefixes: [catalog] } });
        const byType = store.subscribeToAll({
          fromPosition: before,
          filter: { streamPrefixes: [ordering, catalog], eventTypePrefixes: ['OrderPlaced', 'Tracer'] },
        });
        try {
          const streamSeen = await readUntil(byStream, (m) => m.some((x) => x.kind === 'caughtUp'), 30_000);
          expect(eventsOf(streamSeen, 'contract.').map((event) => event.type)).toEqual(['TracerRegistered']);
          const typeSeen = await readUntil(byType, (m) => m.some((x) => x.kind === 'caughtUp'), 30_000);
          expect(
            eventsOf(typeSeen, 'contract.').map((event) => `${event.streamId.split('.').pop()} ${event.type}`),
          ).toEqual(['order-1 OrderPlaced', 'tracer-1 TracerRegistered', 'order-2 OrderPlaced']);
        } finally {
          await byStream.close();
          await byType.close();
        }
      });

      // Regression (EventStoreDB): progress through filtered-out events came only per checkpoint
      // window, so a quiet projection's checkpoint parked below the head and read-your-writes waits
      // for it answered 503.
      it.each<[string, (tag: string) => SubscriptionFilter]>([
        ['a stream prefix', (tag) => ({ streamPrefixes: [`contract.watched${tag}.`] })],
        ['an event type prefix', (tag) => ({ eventTypePrefixes: [`Watched${tag}`] })],
      ])(
        'given a live subscription filtered by %s, when only events it does not match are appended, then its checkpoint reaches the last of them with nothing more written',
        async (_, filterFor) => {
          const tag = randomUUID().slice(0, 8);
          const subscription = store.subscribeToAll({ fromPosition: 'end', filter: filterFor(tag) });
          try {
            await readUntil(subscription, (seen) => seen.some((m) => m.kind === 'caughtUp'));
            let last = Position.START;
            for (let i = 0; i < 10; i++) {
              const other = `contract.other${tag}.user-${i}`;
              last = (await store.append(other, events(1, 'UserRegistered'), 'no_stream')).position;
            }
            const seen = await readUntil(subscription, (messages) =>
              messages.some((m) => m.kind === 'checkpoint' && !m.position.isBefore(last)),
            );
            expect(seen.filter((m) => m.kind === 'event')).toEqual([]);
          } finally {
            await subscription.close();
          }
        },
      );

      it('close ends the iteration', async () => {
        const subscription = store.subscribeToAll({ fromPosition: 'end' });
        await readUntil(subscription, (seen) => seen.some((m) => m.kind === 'caughtUp'));
        await subscription.close();
        const next: IteratorResult<SubscriptionMessage> = await subscription[Symbol.asyncIterator]().next();
        expect(next.done).toBe(true);
      });
    });

    describe('the envelope round-trips', () => {
      it('every metadata field, unicode included, comes back as written', async () => {
        const stream = uniqueStream('contract.release');
        const event = newEvent(
          'ActivityReleased',
          {
            lot: 'FDG-261120-1',
            activityMBq: 12_500.5,
            note: 'Ærø Sygehus — ¹⁸F 🧪 日本語',
            nested: { list: [1, null, true] },
          },
          {
            schemaVersion: 3,
            reason: 'Korrektion: forkert hætteglas',
            source: { system: 'old-tracershop', table: 'VAL', primaryKey: '4711' },
            signature: {
              signerId: 'user-9',
              printedName: 'Søren Ødegård',
              meaning: 'release',
              signedAt: '2026-11-20T07:29:59.000Z',
              recordHash: 'a'.repeat(64),
            },
            actor: { kind: 'application', id: 'app-dispenser', printedName: 'Vial dispenser', role: 'application' },
            correlationId: randomUUID(),
            causationId: randomUUID(),
          },
        );
        await store.append(stream, [event], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read.type).toBe('ActivityReleased');
        expect(read.streamId).toBe(stream);
        expect(read.data).toEqual(event.data);
        expect(read.metadata).toEqual({
          ...event.metadata,
          prevHash: null,
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
      });

      it('a 1 MB payload round-trips', async () => {
        const stream = uniqueStream();
        const big = { blob: 'ø'.repeat(512 * 1024), rows: Array.from({ length: 1000 }, (_, i) => ({ i })) };
        await store.append(stream, [newEvent('VialFileImported', big)], 'no_stream');
        const [read] = await store.readStream(stream);
        expect(read.data).toEqual(big);
        expect((await verifyStream(store, stream)).ok).toBe(true);
      });
    });

    describe('concurrency', () => {
      it('concurrent appends to one stream with the same expected revision: exactly one wins', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(1), 'no_stream');
        const peer = subject.createPeer ? await subject.createPeer() : undefined;
        try {
          const writers = Array.from({ length: 12 }, (_, i) => (peer && i % 2 === 1 ? peer : store) as EventStore);
          const outcomes = await Promise.allSettled(writers.map((writer) => writer.append(stream, events(2), 0n)));
          const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
          const lost = outcomes.filter((outcome) => outcome.status === 'rejected');
          expect(won).toHaveLength(1);
          for (const outcome of lost) expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
          expect(await streamLength(stream)).toBe(3);
          expect((await verifyStream(store, stream)).ok).toBe(true);
        } finally {
          await peer?.close();
        }
      });

      it('concurrent appends with any to one stream keep one unbroken chain', async () => {
        const stream = uniqueStream();
        await Promise.all(Array.from({ length: 10 }, () => store.append(stream, events(1), 'any')));
        expect(await streamLength(stream)).toBe(10);
        expect(await verifyStream(store, stream)).toMatchObject({ ok: true, eventCount: 10 });
      });
    });

    describe('the hash chain', () => {
      it('links every event to the one before it and verifies', async () => {
        const stream = uniqueStream();
        await store.append(stream, events(3), 'no_stream');
        await store.append(stream, events(2), 2n);
        const read = await store.readStream(stream);
        expect(read[0].metadata.prevHash).toBeNull();
        for (let i = 1; i < read.length; i++) expect(read[i].metadata.prevHash).toBe(read[i - 1].metadata.hash);
        expect(await verifyStream(store, stream)).toMatchObject({
          ok: true,
          eventCount: 5,
          headHash: read[4].metadata.hash,
        });
      });

      // Registered only where the test can reach the storage (not a real server); the unit spec of
      // verifyChain covers the same cases for every adapter.
      if (!fixture.tamperable) return;
      describe('detects tampering with stored records', () => {
        async function chainedStream(): Promise<string> {
          const stream = uniqueStream('contract.tamper');
          await store.append(stream, events(5), 'no_stream');
          return stream;
        }

        function tamper() {
          if (!subject.tamper) throw new Error(`${fixture.name} offers no tamper access`);
          return subject.tamper;
        }

        const cases: Array<[string, (stream: string) => Promise<void>, number]> = [
          ['changed data', (stream) => tamper().replaceData(stream, 2n, { index: 99 }), 2],
          ['changed metadata', (stream) => tamper().replaceMetadataField(stream, 3n, 'reason', 'hidden'), 3],
          [
            'changed actor',
            (stream) =>
              tamper().replaceMetadataField(stream, 1n, 'actor', {
                kind: 'system',
                id: 'x',
                printedName: 'x',
                role: 'x',
              }),
            1,
          ],
          ['reordered events', (stream) => tamper().swapEvents(stream, 1n, 2n), 1],
          ['a removed event', (stream) => tamper().removeEvent(stream, 2n), 2],
        ];

        it.each(cases)('%s', async (_, change, brokenAt) => {
          const stream = await chainedStream();
          expect((await verifyStream(store, stream)).ok).toBe(true);
          await change(stream);
          const result = await verifyStream(store, stream);
          expect(result).toMatchObject({ ok: false, brokenAt: BigInt(brokenAt) });
        });
      });
    });

    describe('bad input is refused with a typed error and writes nothing', () => {
      const refused: Array<[string, () => [string, NewEvent[], unknown], new (...args: never[]) => Error]> = [
        ['an empty stream name', () => ['', events(1), 'any'], InvalidStreamNameError],
        ['a reserved $ stream name', () => ['$all', events(1), 'any'], InvalidStreamNameError],
        ['a $ event type', () => [uniqueStream(), [newEvent('$metadata', {})], 'any'], InvalidEventError],
        ['a bigint in data', () => [uniqueStream(), [newEvent('OrderPlaced', { n: 1n })], 'any'], InvalidEventError],
        [
          'a function in data',
          () => [uniqueStream(), [newEvent('OrderPlaced', { f: () => 1 })], 'any'],
          InvalidEventError,
        ],
        ['NaN in data', () => [uniqueStream(), [newEvent('OrderPlaced', { n: NaN })], 'any'], InvalidEventError],
        [
          'a Date object in data',
          () => [uniqueStream(), [newEvent('OrderPlaced', { at: new Date() })], 'any'],
          InvalidEventError,
        ],
        [
          'a missing actor',
          () => [uniqueStream(), [newEvent('OrderPlaced', {}, { actor: undefined })], 'any'],
          InvalidEventError,
        ],
        [
          'a non-uuid event id',
          () => [uniqueStream(), [newEvent('OrderPlaced', {}, { eventId: 'seven' })], 'any'],
          InvalidEventError,
        ],
        ['no events', () => [uniqueStream(), [], 'any'], InvalidEventError],
        [
          'an unknown expected-revision form',
          () => [uniqueStream(), events(1), 'latest'],
          InvalidExpectedRevisionError,
        ],
        ['a number instead of a bigint revision', () => [uniqueStream(), events(1), 0], InvalidExpectedRevisionError],
        ['a negative revision', () => [uniqueStream(), events(1), -1n], InvalidExpectedRevisionError],
      ];

      it.each(refused)('%s', async (_, input, errorType) => {
        const [stream, batch, expected] = input();
        await expect(store.append(stream, batch, expected as ExpectedRevision)).rejects.toBeInstanceOf(errorType);
        if (stream && !stream.startsWith('$')) expect(await streamLength(stream)).toBe(0);
      });

      it('an event over the size limit', async () => {
        const stream = uniqueStream();
        const oversize = newEvent('VialFileImported', { blob: 'x'.repeat(fixture.maxEventBytes + 1) });
        await expect(store.append(stream, [events(1)[0], oversize], 'no_stream')).rejects.toBeInstanceOf(
          EventTooLargeError,
        );
        expect(await streamLength(stream)).toBe(0);
      });

      // Registered where the store limits a whole append (EventStoreDB: 1 MiB unless configured),
      // which every event of it passing the per-event limit does not settle.
      if (fixture.maxAppendBytes !== undefined) {
        const maxAppendBytes = fixture.maxAppendBytes;
        it('events each within the event limit but together over the append limit: AppendTooLargeError', async () => {
          const stream = uniqueStream();
          const eachBytes = Math.floor(Math.min(fixture.maxEventBytes, maxAppendBytes) * 0.9);
          const batch = Array.from({ length: Math.floor(maxAppendBytes / eachBytes) + 1 }, (_, index) =>
            newEvent('VialFileImported', { index, blob: 'x'.repeat(eachBytes - 1024) }),
          );
          const failure = await store.append(stream, batch, 'no_stream').catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(AppendTooLargeError);
          expect(failure).toMatchObject({ code: 'APPEND_TOO_LARGE', streamId: stream });
          expect(await streamLength(stream)).toBe(0);
        });
      }

      it('a valid event beside an invalid one is not written either', async () => {
        const stream = uniqueStream();
        await expect(
          store.append(stream, [newEvent('OrderPlaced', {}), newEvent('OrderPlaced', { n: 1n })], 'no_stream'),
        ).rejects.toBeInstanceOf(InvalidEventError);
        expect(await streamLength(stream)).toBe(0);
      });
    });
  });
}
