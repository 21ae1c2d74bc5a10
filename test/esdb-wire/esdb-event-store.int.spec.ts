import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';
import {
  EventStoreUnavailableError,
  InvalidStreamNameError,
  Position,
  type SubscriptionMessage,
} from '@tracershop/event-store';
import { EsdbEventStore } from '@tracershop/event-store/adapters/esdb/esdb-event-store';
import { events, eventsOf, newEvent, readUntil, uniqueStream } from '../contract/event-fixtures';
import { type EsdbWireServer, startEsdbWireServer } from './esdb-wire-server';

/** What the EsdbEventStore adds on top of the contract: EventStoreDB's system events, drops, backpressure. */
describe('EsdbEventStore over the wire server', () => {
  let server: EsdbWireServer;
  let store: EsdbEventStore;

  beforeEach(async () => {
    server = await startEsdbWireServer();
    store = new EsdbEventStore(server.url, { subscriptionBufferSize: 16, readPageSize: 7 });
  });

  afterEach(async () => {
    await store.close();
    await server.close();
  });

  it("skips EventStoreDB's $ system events in readAll, headPosition and subscriptions", async () => {
    const stream = uniqueStream();
    const ours = await store.append(stream, events(2), 'no_stream');
    // Stream metadata is a `$metadata` event in `$$<stream>`, appended after ours.
    const raw = EventStoreDBClient.connectionString(server.url);
    try {
      await raw.setStreamMetadata(stream, { maxAge: 3600 });
    } finally {
      await raw.dispose();
    }
    expect(server.log.head()).toBe(2n);

    const all = await store.readAll();
    expect(all.map((event) => event.type)).toEqual(['OrderPlaced', 'OrderPlaced']);
    expect((await store.headPosition())?.equals(ours.position)).toBe(true);

    const subscription = store.subscribeToAll();
    try {
      const seen = await readUntil(subscription, (messages) => messages.some((m) => m.kind === 'caughtUp'));
      expect(eventsOf(seen, '').map((event) => event.streamId)).toEqual([stream, stream]);
      // The server's own checkpoint where catching up ends may already lie past its metadata event.
      expect(seen.at(-1)).toMatchObject({ kind: 'caughtUp' });
      expect((seen.at(-1) as SubscriptionMessage & { position: Position }).position.isBefore(ours.position)).toBe(
        false,
      );
    } finally {
      await subscription.close();
    }
  });

  // Regression: EventStoreDB's documented default-ACL event is JSON of type `update-default-acl` in
  // `$settings`, with no `$` in its type; it made every unfiltered read of $all fail for good.
  it("given an event of EventStoreDB's own $settings stream, when reading, finding the head and subscribing, then only our events come and nothing throws", async () => {
    const stream = uniqueStream();
    const ours = await store.append(stream, events(2), 'no_stream');
    const raw = EventStoreDBClient.connectionString(server.url);
    try {
      await raw.appendToStream(
        '$settings',
        jsonEvent({ type: 'update-default-acl', data: { $userStreamAcl: { $r: '$admins' } } }),
      );
    } finally {
      await raw.dispose();
    }
    expect(server.log.head()).toBe(2n);

    expect((await store.readAll()).map((event) => event.streamId)).toEqual([stream, stream]);
    expect((await store.headPosition())?.equals(ours.position)).toBe(true);
    const subscription = store.subscribeToAll();
    try {
      const seen = await readUntil(subscription, (messages) => messages.some((m) => m.kind === 'caughtUp'));
      expect(eventsOf(seen, '').map((event) => event.streamId)).toEqual([stream, stream]);
      expect(seen.at(-1)).toMatchObject({ kind: 'caughtUp' });
      expect((seen.at(-1) as SubscriptionMessage & { position: Position }).position.isBefore(ours.position)).toBe(
        false,
      );
    } finally {
      await subscription.close();
    }
  });

  it('a quiet filtered subscription checkpoints at the head, never past an event it delivers', async () => {
    const tag = randomUUID().slice(0, 8);
    const watched = `contract.watched${tag}.`;
    // The stream prefix runs on the server; the type prefix only here, so `Ignored` events reach us.
    const subscription = store.subscribeToAll({
      fromPosition: 'end',
      filter: { streamPrefixes: [watched], eventTypePrefixes: ['Kept'] },
    });
    try {
      await readUntil(subscription, (seen) => seen.some((m) => m.kind === 'caughtUp'));
      for (let i = 0; i < 3; i++) await store.append(uniqueStream(`contract.other${tag}`), events(1), 'no_stream');
      const kept = await store.append(`${watched}a`, [newEvent('Ignored', {}), newEvent('Kept', {})], 'no_stream');
      let last = Position.START;
      for (let i = 0; i < 3; i++) {
        last = (await store.append(uniqueStream(`contract.other${tag}`), events(1), 'no_stream')).position;
      }
      const seen = await readUntil(subscription, (messages) =>
        messages.some((m) => m.kind === 'checkpoint' && m.position.equals(last)),
      );
      expect(eventsOf(seen, watched).map((event) => [event.type, event.position.toString()])).toEqual([
        ['Kept', kept.position.toString()],
      ]);
      // In order, so no checkpoint came at or past the Kept event before it.
      const reached = seen.map((m) => (m.kind === 'event' ? m.event.position : m.position));
      for (let i = 1; i < reached.length; i++) expect(reached[i].isAfter(reached[i - 1])).toBe(true);
    } finally {
      await subscription.close();
    }
  });

  it('pages through $all in small pages, strictly after the given position', async () => {
    const stream = uniqueStream();
    await store.append(stream, events(20), 'no_stream');
    const all = await store.readAll();
    expect(all.map((event) => Number(event.revision))).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const after = await store.readAll({ fromPosition: all[4].position, maxCount: 9 });
    expect(after.map((event) => Number(event.revision))).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('a slow consumer with a small buffer gets every event in order, and caughtUp exactly after the catch-up', async () => {
    const stream = uniqueStream();
    for (let i = 0; i < 10; i++) await store.append(stream, events(100), i === 0 ? 'no_stream' : BigInt(i * 100 - 1));
    const subscription = store.subscribeToAll({ fromPosition: 'start', filter: { streamPrefixes: [stream] } });
    try {
      const iterator = subscription[Symbol.asyncIterator]();
      const seen: SubscriptionMessage[] = [];
      while (!seen.some((m) => m.kind === 'caughtUp')) {
        const next = await iterator.next();
        if (next.done) throw new Error('ended early');
        seen.push(next.value);
        // Slower than the server sends, so the buffer fills and the client stream pauses.
        if (seen.length % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const delivered = eventsOf(seen, stream);
      expect(delivered.map((event) => Number(event.revision))).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect(seen.at(-1)).toEqual({ kind: 'caughtUp', position: delivered[999].position });
      await store.append(stream, events(1), 999n);
      const live = await readUntil(subscription, (messages) => eventsOf(messages, stream).length === 1);
      expect(eventsOf(live, stream)[0].revision).toBe(1000n);
    } finally {
      await subscription.close();
    }
  });

  it('a dropped connection ends the subscription with EventStoreUnavailableError', async () => {
    const stream = uniqueStream();
    await store.append(stream, events(1), 'no_stream');
    const subscription = store.subscribeToAll();
    const iterator = subscription[Symbol.asyncIterator]();
    await readUntil(subscription, (messages) => messages.some((m) => m.kind === 'caughtUp'));
    await server.close();
    await expect(iterator.next()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('an unreachable server is EventStoreUnavailableError; bad input is refused before any call', async () => {
    await server.close();
    await expect(store.append(uniqueStream(), events(1), 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readStream(uniqueStream())).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.append('$all', events(1), 'any')).rejects.toBeInstanceOf(InvalidStreamNameError);
  });

  it('an `any` retry finds its events behind later ones and returns the first result', async () => {
    const stream = uniqueStream();
    await store.append(stream, events(3), 'no_stream');
    const batch = events(2);
    const first = await store.append(stream, batch, 'any');
    await store.append(stream, events(10), 'any');
    // A second instance has no memory of the first append: the stream read decides.
    const other = new EsdbEventStore(server.url, { retrySearchWindow: 16 });
    try {
      const again = await other.append(stream, batch, 'any');
      expect(again.nextExpectedRevision).toBe(4n);
      expect(again.position.equals(first.position)).toBe(true);
      expect(server.log.revisionOf(stream)).toBe(14n);
    } finally {
      await other.close();
    }
  });
});
