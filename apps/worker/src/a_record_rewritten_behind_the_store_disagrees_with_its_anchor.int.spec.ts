import { createConnection, type Connection } from 'mysql2/promise';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { canonicalJson, eventHash, type EventMetadata } from '@tracershop/event-store';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { events, newEvent } from '../../../test/contract/event-fixtures';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../../../test/contract/mysql-test-database';
import { integrityFindings, recordAuditAnchor, verifyRecord } from './audit-anchor';

const WORKER = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' } as const;
const KEY = 'anchor-key-'.padEnd(48, 'x');

describe('a MySQL record changed behind the store after it was anchored', () => {
  let database: string;
  let store: MysqlEventStore;
  let dba: Connection;

  beforeEach(async () => {
    database = testDatabaseName('anchor');
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
    dba = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
  });

  afterEach(async () => {
    await dba?.end();
    await store?.close();
    await dropTestDatabase(database);
  });

  /** The store as the next process opens it, after the change. */
  async function reopened(): Promise<MysqlEventStore> {
    await store.close();
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
    return store;
  }

  async function anchorTwoStreams(): Promise<void> {
    await store.append('ordering.vial-1', events(3), 'no_stream');
    await store.append('ordering.vial-2', events(2), 'no_stream');
    await recordAuditAnchor(store, new CommandPipeline({ store }), WORKER, KEY, 'job-1');
    const before = await verifyRecord(store, KEY);
    expect(integrityFindings(before)).toBe(0);
  }

  it('given a DBA who deleted the last event of a stream and lowered the head, then the record disagrees with the anchor', async () => {
    await anchorTwoStreams();
    await dba.query('DROP TRIGGER IF EXISTS events_refuse_delete');
    // vial-2's last event (position 4, anchored); the head lowered so that nothing looks missing
    await dba.query("DELETE FROM events WHERE stream_id = 'ordering.vial-2' AND revision = 1");
    await dba.query('UPDATE head SET last_position = 3');

    const report = await verifyRecord(await reopened(), KEY);
    // A shorter chain is a chain, and $all reaches the (lowered) head: only the anchor knows
    expect(report.broken).toEqual([]);
    expect(report.gap).toBeNull();
    expect(report.anchors?.disagreements).toEqual([
      expect.objectContaining({ anchorId: 'job-1', position: '4', problem: 'not_reached' }),
    ]);
    expect(integrityFindings(report)).toBeGreaterThan(0);
  });

  it('given the anchored event deleted and every later position moved down one, then the record disagrees with the anchor', async () => {
    await anchorTwoStreams();
    await store.append('ordering.vial-3', events(1), 'no_stream');
    await dba.query('DROP TRIGGER IF EXISTS events_refuse_delete');
    await dba.query('DROP TRIGGER IF EXISTS events_refuse_update');
    await dba.query("DELETE FROM events WHERE stream_id = 'ordering.vial-2' AND revision = 1");
    await dba.query('UPDATE events SET position = position - 1 WHERE position > 4 ORDER BY position');
    await dba.query('UPDATE head SET last_position = last_position - 1');

    const report = await verifyRecord(await reopened(), KEY);
    expect(report.broken).toEqual([]);
    expect(report.gap).toBeNull();
    expect(report.anchors?.disagreements).toEqual([
      expect.objectContaining({ anchorId: 'job-1', problem: 'digest_mismatch' }),
    ]);
  });

  it('given an event rewritten with its chain recomputed and a whole stream deleted, then the record disagrees with the anchor', async () => {
    await store.append('ordering.vial-1', [newEvent('VialDispensed', { activityMBq: 480 })], 'no_stream');
    await store.append('ordering.vial-2', [newEvent('VialDispensed', { activityMBq: 300 })], 'no_stream');
    await recordAuditAnchor(store, new CommandPipeline({ store }), WORKER, KEY, 'job-1');
    await dba.query('DROP TRIGGER IF EXISTS events_refuse_delete');
    await dba.query('DROP TRIGGER IF EXISTS events_refuse_update');
    await dba.query("DELETE FROM events WHERE stream_id = 'ordering.vial-2'");
    await dba.query('UPDATE events SET position = position - 1 WHERE position > 1 ORDER BY position');
    await dba.query('UPDATE head SET last_position = last_position - 1');
    const [[row]] = (await dba.query(
      "SELECT type, data, metadata FROM events WHERE stream_id = 'ordering.vial-1'",
    )) as unknown as [[{ type: string; data: unknown; metadata: unknown }]];
    const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
    const data = { activityMBq: 450 };
    const metadata = { ...(parse(row.metadata) as EventMetadata), prevHash: null };
    metadata.hash = eventHash(row.type, data, metadata);
    await dba.query("UPDATE events SET data = ?, metadata = ? WHERE stream_id = 'ordering.vial-1'", [
      canonicalJson(data),
      canonicalJson(metadata),
    ]);

    const report = await verifyRecord(await reopened(), KEY);
    expect(report.broken).toEqual([]);
    expect(report.gap).toBeNull();
    expect(report.anchors?.disagreements).toEqual([
      expect.objectContaining({ anchorId: 'job-1', problem: 'digest_mismatch' }),
    ]);
  });
});
