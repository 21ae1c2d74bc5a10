import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { CommandPipeline } from '@tracershop/command-pipeline';
import { MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import { events } from '../../../test/contract/event-fixtures';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from '../../../test/contract/mysql-test-database';
import { recordAuditAnchor } from '../../worker/src/audit-anchor';
import { exportHolds, writeAuditExport, type ExportManifest } from './audit-export';

const WORKER = { kind: 'system', id: 'worker', printedName: 'Tracershop worker', role: 'system' } as const;
const KEY = 'anchor-key-'.padEnd(48, 'x');

describe('a certified copy of a MySQL record', () => {
  let database: string;
  let store: MysqlEventStore;
  let out: string;

  beforeEach(async () => {
    database = testDatabaseName('export');
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
    out = await mkdtemp(join(tmpdir(), 'tracershop-export-'));
  });

  afterEach(async () => {
    await store?.close();
    await dropTestDatabase(database);
    await rm(out, { recursive: true, force: true });
  });

  const exportOf = (prefixes: string[], directory: string, asOf?: string): Promise<ExportManifest> =>
    writeAuditExport(store, {
      exportId: randomUUID(),
      scope: { streams: [], prefixes },
      outDir: join(out, directory),
      generatedBy: 'auditor',
      asOf,
      anchorKey: KEY,
    });

  it('given an event deleted from the middle of $all behind the store, then the copy says it is incomplete', async () => {
    await store.append('x.a-1', events(1), 'no_stream');
    await store.append('x.b-1', events(1), 'no_stream');
    await store.append('x.c-1', events(2), 'no_stream');
    const dba = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
    try {
      await dba.query('DROP TRIGGER IF EXISTS events_refuse_delete');
      await dba.query("DELETE FROM events WHERE stream_id = 'x.b-1'");
    } finally {
      await dba.end();
    }

    const manifest = await exportOf(['x.'], 'holed');
    // x.c-1 lies beyond the hole: the copy cannot know it, and says so instead of looking complete
    expect(manifest).toMatchObject({ asOf: '3', complete: false, gap: { after: '0', head: '3' } });
    expect(exportHolds(manifest)).toBe(false);
    const written = JSON.parse(await readFile(join(out, 'holed', 'manifest.json'), 'utf8'));
    expect(written).toMatchObject({ complete: false, gap: { after: '0', head: '3' } });
  });

  it('given an anchored record, then the copy says it agrees with the latest anchor, and is as of a position it can be made again from', async () => {
    await store.append('x.a-1', events(2), 'no_stream');
    await recordAuditAnchor(store, new CommandPipeline({ store }), WORKER, KEY, 'job-1');
    const first = await exportOf(['x.'], 'first');
    expect(first).toMatchObject({
      asOf: '2',
      complete: true,
      gap: null,
      anchor: { anchorId: 'job-1', position: '1', agrees: true, signature: 'verified', signatureFailures: [] },
    });
    expect(exportHolds(first)).toBe(true);

    // The record grows; the copy as of the first one's position is the same copy
    await store.append('x.a-1', events(1), 1n);
    await store.append('x.b-1', events(1), 'no_stream');
    const again = await exportOf(['x.'], 'again', first.asOf ?? undefined);
    const sha256 = async (directory: string) =>
      createHash('sha256')
        .update(await readFile(join(out, directory, 'events.jsonl')))
        .digest('hex');
    expect(again).toMatchObject({ asOf: '2', eventCount: 2, streamCount: 1 });
    expect(await sha256('again')).toBe(await sha256('first'));
    const now = await exportOf(['x.'], 'now');
    expect(now).toMatchObject({ asOf: '4', eventCount: 4, streamCount: 2 });
  });

  it('given the anchored tail of a stream cut off, then the copy says the record does not agree with the anchor', async () => {
    await store.append('x.a-1', events(2), 'no_stream');
    await recordAuditAnchor(store, new CommandPipeline({ store }), WORKER, KEY, 'job-1');
    const dba = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
    try {
      await dba.query('DROP TRIGGER IF EXISTS events_refuse_delete');
      await dba.query("DELETE FROM events WHERE stream_id = 'x.a-1' AND revision = 1");
      await dba.query('UPDATE head SET last_position = 0');
    } finally {
      await dba.end();
    }
    await store.close();
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });

    // The stream's chain holds and $all reaches the lowered head: only the anchor knows better
    const manifest = await exportOf(['x.'], 'cut');
    expect(manifest).toMatchObject({ asOf: '0', complete: true });
    expect(manifest.streams).toEqual([expect.objectContaining({ streamId: 'x.a-1', events: 1, chain: 'intact' })]);
    expect(manifest.anchor).toMatchObject({
      anchorId: 'job-1',
      agrees: false,
      disagreements: [expect.objectContaining({ problem: 'not_reached' })],
    });
    expect(exportHolds(manifest)).toBe(false);
  });
});
