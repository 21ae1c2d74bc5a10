import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../../test/contract/mysql-test-database';

const event = (type: string, n: number): NewEvent => ({
  type,
  data: { n },
  metadata: {
    eventId: randomUUID(),
    schemaVersion: 1,
    occurredAt: '2026-11-20T07:30:00.000Z',
    recordedAt: '2026-11-20T07:30:01.250Z',
    actor: { kind: 'system', id: 'system', printedName: 'Tracershop system', role: 'system' },
    correlationId: 'corr',
    causationId: randomUUID(),
  },
});

describe('MysqlEventStore.readStreams', () => {
  const database = testDatabaseName('read_streams');
  let store: MysqlEventStore;

  beforeAll(async () => {
    store = await MysqlEventStore.open({ connection: { ...MYSQL_TEST_CONNECTION, connectionLimit: 2 }, database });
  });

  afterAll(async () => {
    await store.close();
    await dropTestDatabase(database);
  });

  it('reads each stream from its own revision in one call; missing streams read as empty', async () => {
    const a = `test.a-${randomUUID()}`;
    const b = `test.b-${randomUUID()}`;
    await store.append(a, [event('A', 0), event('A', 1), event('A', 2)], 'no_stream');
    await store.append(b, [event('B', 0)], 'no_stream');
    const missing = `test.none-${randomUUID()}`;

    const read = await store.readStreams([
      { streamId: a, fromRevision: 1n },
      { streamId: b, fromRevision: 0n },
      { streamId: missing, fromRevision: 0n },
    ]);

    expect(read.get(a)?.map((e) => [e.revision, e.data])).toEqual([
      [1n, { n: 1 }],
      [2n, { n: 2 }],
    ]);
    expect(read.get(b)?.map((e) => e.type)).toEqual(['B']);
    expect(read.get(missing)).toEqual([]);
    expect(await store.readStreams([{ streamId: a, fromRevision: 3n }])).toEqual(new Map([[a, []]]));
    // The same stream twice: read once, from the earlier revision.
    const twice = await store.readStreams([
      { streamId: a, fromRevision: 2n },
      { streamId: a, fromRevision: 0n },
    ]);
    expect(twice.get(a)).toHaveLength(3);
    expect(twice.get(a)).toEqual(await store.readStream(a));
  });
});
