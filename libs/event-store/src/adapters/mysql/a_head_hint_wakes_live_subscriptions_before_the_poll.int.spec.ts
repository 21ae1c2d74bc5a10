import type { Position } from '@tracershop/event-store';
import { events, eventsOf, readUntil, uniqueStream } from '../../../../../test/contract/event-fixtures';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../../test/contract/mysql-test-database';
import { migrateEventStoreSchema } from './mysql-event-store-schema';
import { MysqlEventStore } from './mysql-event-store';

describe('MySQL store: appends told to other processes', () => {
  const database = testDatabaseName('headhint');
  let writer: MysqlEventStore;
  let reader: MysqlEventStore;

  beforeAll(async () => {
    await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, database);
    writer = new MysqlEventStore({ connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 2 }, database });
    // Polls the head once a minute: only the hint can wake its subscription within the test.
    reader = new MysqlEventStore({
      connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 2 },
      database,
      headPoll: { minMs: 60_000, maxMs: 60_000 },
    });
  });

  afterAll(async () => {
    await Promise.all([writer.close(), reader.close()]);
    await dropTestDatabase(database);
  });

  it('given a live subscription in another store, when the writer’s commit is passed on as a hint, then the subscription reads the events at once', async () => {
    const subscription = reader.subscribeToAll({ fromPosition: 'end' });
    const seenCaughtUp = readUntil(subscription, (seen) => seen.some((message) => message.kind === 'caughtUp'));
    await seenCaughtUp;

    const stream = uniqueStream('hint.order');
    const arrived = readUntil(subscription, (seen) => eventsOf(seen, stream).length === 3, 15_000);
    // The subscription now waits on the reader's head poll, which has looked and sleeps a minute.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const heads: Position[] = [];
    const stop = writer.onCommitted((head) => heads.push(head));
    const appended = await writer.append(stream, events(3), 'no_stream');
    stop();
    expect(heads.at(-1)?.toString()).toBe(appended.position.toString());
    reader.headMoved(heads.at(-1)!);
    const seen = await arrived;
    expect(eventsOf(seen, stream).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    await subscription.close();
  });
});
