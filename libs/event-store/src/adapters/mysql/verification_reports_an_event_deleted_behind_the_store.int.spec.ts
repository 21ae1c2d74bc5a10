import { createConnection } from 'mysql2/promise';
import { verifyAllStreams } from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { events, uniqueStream } from '../../../../../test/contract/event-fixtures';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../../test/contract/mysql-test-database';

describe('verification of a MySQL store whose event was deleted behind its back', () => {
  const database = testDatabaseName('gap');
  let store: MysqlEventStore;

  beforeAll(async () => {
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
  });

  afterAll(async () => {
    await store?.close();
    await dropTestDatabase(database);
  });

  it('given a DBA who dropped the guard and deleted a stream’s event, when every stream is verified, then the gap is reported, not a clean run', async () => {
    const first = uniqueStream();
    const later = uniqueStream();
    await store.append(first, events(3), 'no_stream');
    await store.append(later, events(2), 'no_stream');
    expect((await verifyAllStreams(store)).gap).toBeNull();

    const admin = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
    try {
      await admin.query('DROP TRIGGER IF EXISTS events_refuse_delete');
      // The last event of the first stream: its own chain still verifies (a shorter chain is a chain).
      await admin.query('DELETE FROM events WHERE stream_id = ? AND revision = 2', [first]);
    } finally {
      await admin.end();
    }

    const report = await verifyAllStreams(store);
    expect(report.broken).toEqual([]);
    expect(report.gap).toEqual({ after: report.upTo, head: (await store.headPosition())?.toString() });
    expect(report.upTo).not.toBeNull();
  });
});
