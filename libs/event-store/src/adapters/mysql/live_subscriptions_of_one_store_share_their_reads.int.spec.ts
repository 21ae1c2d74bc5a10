import type { Pool } from 'mysql2/promise';
import type { Subscription, SubscriptionFilter, SubscriptionMessage } from '@tracershop/event-store';
import { events, eventsOf, readUntil, uniqueStream } from '../../../../../test/contract/event-fixtures';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../../test/contract/mysql-test-database';
import { migrateEventStoreSchema } from './mysql-event-store-schema';
import { MysqlEventStore } from './mysql-event-store';

/** Counts reads of `$all` after a position (a subscription's or `readAll`'s) on the store's read pool. */
function countTailReads(store: MysqlEventStore): { stop: () => number } {
  const pool = (store as unknown as { pool: Pool }).pool;
  const query = jest.spyOn(pool, 'query');
  return {
    stop: () => {
      const reads = query.mock.calls.filter(([sql]) => typeof sql === 'string' && /WHERE position > \?/.test(sql));
      query.mockRestore();
      return reads.length;
    },
  };
}

/**
 * Three caught-up subscriptions from the head: one by stream prefix, one by event type
 * (`TracerRenamed`), one unfiltered.
 */
async function liveSubscriptions(store: MysqlEventStore, streamPrefix: string): Promise<Subscription[]> {
  const filters: Array<SubscriptionFilter | undefined> = [
    { streamPrefixes: [streamPrefix] },
    { eventTypePrefixes: ['TracerRenamed'] },
    undefined,
  ];
  const subscriptions = filters.map((filter) => store.subscribeToAll({ fromPosition: 'end', filter }));
  await Promise.all(
    subscriptions.map((subscription) =>
      readUntil(subscription, (seen) => seen.some((message) => message.kind === 'caughtUp')),
    ),
  );
  return subscriptions;
}

describe('MySQL store: live subscriptions of one store', () => {
  const database = testDatabaseName('sharedreads');
  let store: MysqlEventStore;

  beforeAll(async () => {
    await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, database);
    store = new MysqlEventStore({ connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 4 }, database });
  });

  afterAll(async () => {
    await store.close();
    await dropTestDatabase(database);
  });

  it('given three live subscriptions with different filters, when one append wakes them, then they share one read', async () => {
    const stream = uniqueStream('shared.wake');
    const subscriptions = await liveSubscriptions(store, stream);
    const arrived = subscriptions.map((subscription, index) =>
      readUntil(subscription, (seen) => eventsOf(seen, stream).length === (index === 1 ? 1 : 2)),
    );
    const reads = countTailReads(store);

    await store.append(stream, [...events(1, 'TracerRegistered'), ...events(1, 'TracerRenamed')], 'no_stream');
    const seen = (await Promise.all(arrived)).map((messages) => eventsOf(messages, stream));
    const readCount = reads.stop();

    expect(seen.map((events) => events.map((event) => event.type))).toEqual([
      ['TracerRegistered', 'TracerRenamed'],
      ['TracerRenamed'],
      ['TracerRegistered', 'TracerRenamed'],
    ]);
    // Each subscription had to read to see the append; alone, that is three reads.
    expect(readCount).toBeGreaterThanOrEqual(1);
    expect(readCount).toBeLessThan(3);
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  });

  it('given three live subscriptions with different filters, when events of several kinds are appended one by one, then each sees exactly what its filter matches, with payloads', async () => {
    const orders = uniqueStream('shared.order');
    const tracers = uniqueStream('shared.tracer');
    const subscriptions = await liveSubscriptions(store, orders);
    const ours = (seen: SubscriptionMessage[]) =>
      eventsOf(seen, 'shared.').filter((event) => event.streamId === orders || event.streamId === tracers);
    const arrived = [
      readUntil(subscriptions[0], (seen) => ours(seen).length === 4),
      readUntil(subscriptions[1], (seen) => ours(seen).length === 2),
      readUntil(subscriptions[2], (seen) => ours(seen).length === 8),
    ];

    for (let index = 0; index < 2; index++) {
      const expected = index === 0 ? 'no_stream' : 1n;
      await store.append(orders, events(2), expected);
      await store.append(tracers, [...events(1, 'TracerRegistered'), ...events(1, 'TracerRenamed')], expected);
    }
    const [byStream, byType, everything] = (await Promise.all(arrived)).map(ours);

    expect(byStream.map((event) => [event.streamId, event.revision, event.type])).toEqual([
      [orders, 0n, 'OrderPlaced'],
      [orders, 1n, 'OrderPlaced'],
      [orders, 2n, 'OrderPlaced'],
      [orders, 3n, 'OrderPlaced'],
    ]);
    expect(byType.map((event) => [event.streamId, event.revision, event.type])).toEqual([
      [tracers, 1n, 'TracerRenamed'],
      [tracers, 3n, 'TracerRenamed'],
    ]);
    expect(everything.map((event) => event.type)).toEqual([
      'OrderPlaced',
      'OrderPlaced',
      'TracerRegistered',
      'TracerRenamed',
      'OrderPlaced',
      'OrderPlaced',
      'TracerRegistered',
      'TracerRenamed',
    ]);
    // Every delivered event carries what was appended, whichever filters shared its read.
    for (const event of [...byStream, ...byType, ...everything]) {
      expect(event.data).toEqual({ index: expect.any(Number) });
      expect(event.metadata.eventId).toEqual(expect.any(String));
    }
    await Promise.all(subscriptions.map((subscription) => subscription.close()));
  });
});
