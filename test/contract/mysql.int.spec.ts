import { randomUUID } from 'node:crypto';
import { createConnection, createPool, type Connection } from 'mysql2/promise';
import { Position, verifyStream, WrongExpectedVersionError } from '@tracershop/event-store';
import { migrateEventStoreSchema, MysqlEventStore } from '@tracershop/event-store/adapters/mysql';
import type { StoredRecordTamper } from './contract-fixture';
import { eventStoreContract } from './event-store.contract';
import { events, eventsOf, readUntil, uniqueStream } from './event-fixtures';
import { dropTestDatabase, MYSQL_TEST_CONNECTION, testDatabaseName } from './mysql-test-database';

const MAX_EVENT_BYTES = 2 * 1024 * 1024;

/**
 * Tampering as a privileged DBA would do it: straight SQL on the tables, after dropping the
 * append-only triggers (in this run's own database only).
 */
function sqlTamper(admin: Connection): StoredRecordTamper {
  let guardsDropped = false;
  async function dropGuards(): Promise<void> {
    if (guardsDropped) return;
    await admin.query('DROP TRIGGER IF EXISTS events_refuse_update');
    await admin.query('DROP TRIGGER IF EXISTS events_refuse_delete');
    guardsDropped = true;
  }
  async function updateOne(sql: string, params: unknown[]): Promise<void> {
    const [result] = await admin.query(sql, params);
    const affected = (result as { affectedRows: number }).affectedRows;
    if (affected !== 1) throw new Error(`tamper expected to change one row, changed ${affected}`);
  }
  async function readRow(streamId: string, revision: bigint): Promise<Record<string, unknown>> {
    const [rows] = await admin.query(
      'SELECT position, event_id, type, data, metadata, hash, prev_hash, schema_version FROM events ' +
        'WHERE stream_id = ? AND revision = ?',
      [streamId, revision],
    );
    const row = (rows as Array<Record<string, unknown>>)[0];
    if (!row) throw new Error(`no event ${streamId}@${revision}`);
    return row;
  }
  async function inTransaction(work: () => Promise<void>): Promise<void> {
    await admin.query('START TRANSACTION');
    try {
      await work();
      await admin.query('COMMIT');
    } catch (error) {
      await admin.query('ROLLBACK');
      throw error;
    }
  }
  const content = ['event_id', 'type', 'data', 'metadata', 'hash', 'prev_hash', 'schema_version'] as const;

  return {
    async replaceData(streamId, revision, data) {
      await dropGuards();
      await updateOne('UPDATE events SET data = ? WHERE stream_id = ? AND revision = ?', [
        JSON.stringify(data),
        streamId,
        revision,
      ]);
    },
    async replaceMetadataField(streamId, revision, field, value) {
      await dropGuards();
      const row = await readRow(streamId, revision);
      const metadata = { ...(JSON.parse(String(row.metadata)) as Record<string, unknown>), [field]: value };
      await updateOne('UPDATE events SET metadata = ? WHERE stream_id = ? AND revision = ?', [
        JSON.stringify(metadata),
        streamId,
        revision,
      ]);
    },
    async removeEvent(streamId, revision) {
      await dropGuards();
      await inTransaction(async () => {
        const position = (await readRow(streamId, revision)).position;
        await updateOne('DELETE FROM events WHERE stream_id = ? AND revision = ?', [streamId, revision]);
        await admin.query(
          'UPDATE events SET revision = revision - 1 WHERE stream_id = ? AND revision > ? ORDER BY revision',
          [streamId, revision],
        );
        // Also closes the hole in $all, so later tests in this database can still read from the start.
        await admin.query('UPDATE events SET position = position - 1 WHERE position > ? ORDER BY position', [position]);
        await admin.query('UPDATE head SET last_position = last_position - 1 WHERE id = 1');
        await admin.query('UPDATE streams SET last_position = last_position - 1 WHERE last_position > ?', [position]);
        await admin.query('UPDATE streams SET current_revision = current_revision - 1 WHERE stream_id = ?', [streamId]);
      });
    },
    async swapEvents(streamId, a, b) {
      await dropGuards();
      await inTransaction(async () => {
        const first = await readRow(streamId, a);
        const second = await readRow(streamId, b);
        const assignments = content.map((column) => `${column} = ?`).join(', ');
        const where = 'WHERE stream_id = ? AND revision = ?';
        // Event ids are unique: park the first row's id while the second takes it.
        await updateOne(`UPDATE events SET event_id = ? ${where}`, [randomUUID(), streamId, a]);
        await updateOne(`UPDATE events SET ${assignments} ${where}`, [
          ...content.map((column) => first[column]),
          streamId,
          b,
        ]);
        await updateOne(`UPDATE events SET ${assignments} ${where}`, [
          ...content.map((column) => second[column]),
          streamId,
          a,
        ]);
      });
    },
  };
}

eventStoreContract({
  name: 'mysql',
  maxEventBytes: MAX_EVENT_BYTES,
  tamperable: true,
  create: async () => {
    const database = testDatabaseName('contract');
    const store = await MysqlEventStore.open({
      connection: MYSQL_TEST_CONNECTION,
      database,
      maxEventBytes: MAX_EVENT_BYTES,
    });
    const admin = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
    return {
      store,
      tamper: sqlTamper(admin),
      createPeer: () =>
        Promise.resolve(
          new MysqlEventStore({ connection: MYSQL_TEST_CONNECTION, database, maxEventBytes: MAX_EVENT_BYTES }),
        ),
      dispose: async () => {
        await store.close();
        await admin.end();
        await dropTestDatabase(database);
      },
    };
  },
});

/** Id of the first other session whose running statement matches `pattern` (and is not `except`). */
async function waitForSession(admin: Connection, pattern: string, except?: number): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const [rows] = await admin.query(
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID() AND ID <> ?',
      [pattern, except ?? 0],
    );
    const found = (rows as Array<{ id: number }>)[0];
    if (found) return Number(found.id);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no session running ${pattern}`);
}

describe('MysqlEventStore specifics', () => {
  const database = testDatabaseName('specifics');
  let store: MysqlEventStore;
  let admin: Connection;

  beforeAll(async () => {
    store = await MysqlEventStore.open({ connection: MYSQL_TEST_CONNECTION, database });
    admin = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
  });

  afterAll(async () => {
    await store?.close();
    await admin?.end();
    await dropTestDatabase(database);
  });

  it('migrating an already migrated database changes nothing', async () => {
    const stream = uniqueStream();
    await store.append(stream, events(2), 'no_stream');
    await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, database);
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('stored events refuse UPDATE and DELETE', async () => {
    const stream = uniqueStream();
    await store.append(stream, events(1), 'no_stream');
    await expect(admin.query('UPDATE events SET data = ? WHERE stream_id = ?', ['{}', stream])).rejects.toThrow(
      /append-only/,
    );
    await expect(admin.query('DELETE FROM events WHERE stream_id = ?', [stream])).rejects.toThrow(/append-only/);
    expect((await verifyStream(store, stream)).ok).toBe(true);
  });

  it('in one group, a failing append rejects alone and the others commit with contiguous positions', async () => {
    const taken = uniqueStream();
    await store.append(taken, events(1), 'no_stream');
    const fresh = Array.from({ length: 20 }, () => uniqueStream());
    const outcomes = await Promise.allSettled([
      ...fresh.map((stream) => store.append(stream, events(2), 'no_stream')),
      store.append(taken, events(1), 'no_stream'),
    ]);
    const failed = outcomes.pop();
    expect(failed).toMatchObject({ status: 'rejected', reason: expect.any(WrongExpectedVersionError) });
    const positions = outcomes.map((outcome) => {
      if (outcome.status !== 'fulfilled') throw outcome.reason;
      return outcome.value.position.commit;
    });
    const sorted = [...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBe(2n);
    expect(await store.readStream(taken)).toHaveLength(1);
  });

  it('the same append issued twice at once is written once and both get the first result', async () => {
    const stream = uniqueStream();
    const batch = events(3);
    const [first, second] = await Promise.all([
      store.append(stream, batch, 'no_stream'),
      store.append(stream, batch, 'no_stream'),
    ]);
    expect(second).toEqual(first);
    expect(await store.readStream(stream)).toHaveLength(3);
  });

  it('appends from a second store on its own pool interleave into one gap-free $all', async () => {
    const peer = new MysqlEventStore({ connection: MYSQL_TEST_CONNECTION, database });
    try {
      const before = (await store.headPosition()) ?? Position.START;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 ? peer : store).append(uniqueStream(), events(1 + (i % 3)), 'any')),
      );
      const read = await store.readAll({ fromPosition: before });
      expect(read).toHaveLength(Array.from({ length: 40 }, (_, i) => 1 + (i % 3)).reduce((a, b) => a + b, 0));
      read.forEach((event, i) => expect(event.position.commit).toBe(before.commit + 1n + BigInt(i)));
    } finally {
      await peer.close();
    }
  });

  it('a writer session killed while it waits for the head lock: the group runs again and commits once', async () => {
    const stream = uniqueStream();
    const blocker = await createConnection({ ...MYSQL_TEST_CONNECTION, database });
    try {
      await blocker.query('START TRANSACTION');
      await blocker.query('SELECT last_position FROM head WHERE id = 1 FOR UPDATE');
      const batch = events(2);
      const appending = Promise.all([
        store.append(stream, batch, 'no_stream'),
        store.append(uniqueStream(), events(1), 'no_stream'),
      ]);
      const waiting = await waitForSession(admin, `%\`${database}\`.\`head\`%FOR UPDATE%`);
      await admin.query('KILL ?', [waiting]);
      // The retry waits for the head lock again; releasing it lets the group through.
      await waitForSession(admin, `%\`${database}\`.\`head\`%FOR UPDATE%`, waiting);
      await blocker.query('COMMIT');
      const [result] = await appending;
      expect(result.nextExpectedRevision).toBe(1n);
      expect((await store.readStream(stream)).map((event) => event.metadata.eventId)).toEqual(
        batch.map((event) => event.metadata.eventId),
      );
      const all = await store.readAll();
      all.forEach((event, i) => expect(event.position.commit).toBe(BigInt(i)));
    } finally {
      await blocker.end();
    }
  });

  it('a subscriber stops at a position that is not visible yet and never steps over it', async () => {
    // Simulates what the head lock rules out: a later position committed before an earlier one.
    const head = (await store.headPosition())?.commit ?? -1n;
    const insert = (position: bigint, streamId: string) =>
      admin.query(
        'INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata, hash, prev_hash, ' +
          "schema_version, recorded_at) VALUES (?, ?, 0, ?, 'GapProbe', '{}', '{}', ?, NULL, 1, UTC_TIMESTAMP(6))",
        [position, streamId, randomUUID(), 'f'.repeat(64)],
      );
    const early = uniqueStream('gap.early');
    const late = uniqueStream('gap.late');
    await insert(head + 2n, late);
    const subscription = store.subscribeToAll({
      fromPosition: head < 0n ? 'start' : Position.of(head),
      filter: { streamPrefixes: ['gap.'] },
    });
    try {
      const before = await readUntil(subscription, (seen) => seen.some((m) => m.kind === 'caughtUp'));
      expect(eventsOf(before, 'gap.')).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await admin.query('START TRANSACTION');
      await insert(head + 1n, early);
      await admin.query('UPDATE head SET last_position = ? WHERE id = 1', [head + 2n]);
      await admin.query(
        'INSERT INTO streams (stream_id, current_revision, last_hash, last_position) VALUES (?, 0, ?, ?), (?, 0, ?, ?)',
        [early, 'f'.repeat(64), head + 1n, late, 'f'.repeat(64), head + 2n],
      );
      await admin.query('COMMIT');
      const after = await readUntil(subscription, (seen) => eventsOf(seen, 'gap.').length === 2);
      expect(eventsOf([...before, ...after], 'gap.').map((event) => event.streamId)).toEqual([early, late]);
    } finally {
      await subscription.close();
    }
  });

  it('filters compare whole types in SQL: a type that only starts with a prefix still comes with its payload, an empty list takes nothing', async () => {
    // Given a stream with three types
    const stream = uniqueStream('typed.');
    const before = await store.headPosition();
    await store.append(
      stream,
      [...events(1, 'TracerRegistered'), ...events(1, 'TracerRenamed'), ...events(1, 'OrderPlaced')],
      'no_stream',
    );
    const from = before ?? 'start';
    // When one subscription names a whole type and a mere prefix, and one names no type at all
    const named = store.subscribeToAll({
      fromPosition: from,
      filter: { eventTypePrefixes: ['OrderPlaced', 'TracerRen'] },
    });
    const none = store.subscribeToAll({ fromPosition: from, filter: { eventTypePrefixes: [] } });
    try {
      // Then the first gets both, each with its data and metadata; the second none
      const seen = eventsOf(await readUntil(named, (messages) => eventsOf(messages, stream).length === 2), stream);
      expect(seen.map((event) => event.type)).toEqual(['TracerRenamed', 'OrderPlaced']);
      for (const event of seen) {
        expect(event.data).not.toBeNull();
        expect(event.metadata.eventId).toEqual(expect.any(String));
      }
      const nothing = await readUntil(none, (messages) => messages.some((message) => message.kind === 'caughtUp'));
      expect(eventsOf(nothing, stream)).toEqual([]);
    } finally {
      await named.close();
      await none.close();
    }
  });

  it("over a caller's pool (one statement per round trip) appends the same way, and close leaves the pool open", async () => {
    const pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 2 });
    try {
      const onPool = new MysqlEventStore({ pool, database });
      const stream = uniqueStream();
      const outcomes = await Promise.allSettled([
        onPool.append(stream, events(2), 'no_stream'),
        onPool.append(stream, events(1), 'no_stream'),
        onPool.append(uniqueStream(), events(1), 'no_stream'),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(await verifyStream(onPool, stream)).toMatchObject({ ok: true, eventCount: 2 });
      await onPool.close();
      await expect(pool.query('SELECT 1')).resolves.toBeDefined();
    } finally {
      await pool.end();
    }
  });

  it('close lets queued appends finish, then refuses new ones', async () => {
    const closing = new MysqlEventStore({ connection: MYSQL_TEST_CONNECTION, database });
    const stream = uniqueStream();
    const pending = closing.append(stream, events(1), 'no_stream');
    const closed = closing.close();
    await expect(pending).resolves.toMatchObject({ nextExpectedRevision: 0n });
    await closed;
    await expect(closing.append(uniqueStream(), events(1), 'no_stream')).rejects.toThrow(/closed/);
  });
});
