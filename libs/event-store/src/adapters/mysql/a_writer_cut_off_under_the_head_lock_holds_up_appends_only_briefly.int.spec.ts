import { createPool, type Pool } from 'mysql2/promise';
import { newEvent } from '../../../../../test/contract/event-fixtures';
import {
  dropTestDatabase,
  MYSQL_TEST_CONNECTION,
  testDatabaseName,
} from '../../../../../test/contract/mysql-test-database';
import { PartitionProxy } from '../../../../../test/fault/partition-proxy';
import { StreamNotFoundError } from '../../errors';
import { MysqlEventStore } from './mysql-event-store';
import { migrateEventStoreSchema } from './mysql-event-store-schema';

/** The bound the cut-off writer runs with: small, so the test takes seconds. */
const IDLE_SECONDS = 2;

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The head row is locked by another session: a NOWAIT locking read is refused. */
async function headRowLocked(pool: Pool): Promise<boolean> {
  try {
    await pool.query('SELECT last_position FROM head WHERE id = 1 FOR UPDATE NOWAIT');
    return false;
  } catch (error) {
    // ER_LOCK_WAIT_TIMEOUT (MariaDB), ER_LOCK_NOWAIT (MySQL)
    if ([1205, 3572].includes(Number((error as { errno?: unknown }).errno))) return true;
    throw error;
  }
}

describe('a writer cut off while it holds the head lock', () => {
  let database: string;
  let proxy: PartitionProxy;
  let cutOff: MysqlEventStore;
  let other: MysqlEventStore;
  let admin: Pool;

  beforeEach(async () => {
    database = testDatabaseName('cutoff');
    await migrateEventStoreSchema(MYSQL_TEST_CONNECTION, database);
    proxy = await PartitionProxy.start(MYSQL_TEST_CONNECTION);
    cutOff = new MysqlEventStore({
      connection: proxy.connection(MYSQL_TEST_CONNECTION),
      database,
      idleTransactionTimeoutSeconds: IDLE_SECONDS,
    });
    other = new MysqlEventStore({ connection: MYSQL_TEST_CONNECTION, database });
    admin = createPool({ ...MYSQL_TEST_CONNECTION, database, connectionLimit: 2 });
  });

  afterEach(async () => {
    await proxy.close();
    await Promise.allSettled([cutOff.close(), other.close(), admin.end()]);
    await dropTestDatabase(database);
  });

  it('given its host goes silent between the two round trips of a locking append, when another process appends, then that append waits for the bound, not for hours', async () => {
    // Given: the first round trip (begin, lock the head row, read) reaches the server, then nothing.
    const firstRoundTrip = proxy.partitionAfter(
      (sql) => sql.includes('START TRANSACTION') && sql.includes('FOR UPDATE') && !sql.includes('COMMIT'),
    );
    const stuck = cutOff.append('cutoff.writer-1', [newEvent('Stuck', { n: 1 })], 'no_stream');
    stuck.catch(() => undefined);
    await firstRoundTrip;
    // The server keeps the silent session, in its transaction, holding the head row.
    await within(
      5_000,
      'the head row lock',
      (async () => {
        while (!(await headRowLocked(admin))) await new Promise((resolve) => setTimeout(resolve, 20));
      })(),
    );

    // When
    const started = Date.now();
    const appended = await within(
      IDLE_SECONDS * 1000 + 8_000,
      'the append behind the silent writer',
      other.append('cutoff.writer-2', [newEvent('Appended', { n: 2 })], 'no_stream'),
    );
    const waitedMs = Date.now() - started;

    // Then: the server ended the silent session and rolled its transaction back; nothing of it stayed.
    expect(appended.position.commit).toBe(0n);
    await expect(other.readStream('cutoff.writer-1')).rejects.toThrow(StreamNotFoundError);
    expect(await other.readStream('cutoff.writer-2')).toHaveLength(1);
    console.info(`an append waited ${waitedMs} ms behind a writer cut off under the head lock`);
  });

  it('given appends that went the locking way, the planned way and the guard refused, when their session goes back to the pool, then the bound is lifted', async () => {
    const internals = cutOff as unknown as { writer: Pool; transaction: unknown; abandon: unknown };
    const planned = jest.spyOn(internals as never, 'transaction');
    const abandoned = jest.spyOn(internals as never, 'abandon');
    const waitTimeout = async () => {
      const [rows] = await internals.writer.query(
        'SELECT @@SESSION.wait_timeout AS session, @@GLOBAL.wait_timeout AS global',
      );
      const [{ session, global }] = rows as Array<{ session: unknown; global: unknown }>;
      return { session: Number(session), global: Number(global) };
    };
    const expectUnbounded = async () => {
      const seen = await waitTimeout();
      expect(seen.session).toBe(seen.global);
      expect(seen.session).not.toBe(IDLE_SECONDS);
    };

    // A new store learns the store under the lock (twice, until it sees that nobody else wrote).
    let revision = (await cutOff.append('cutoff.writer-3', [newEvent('Appended', { n: 3 })], 'no_stream'))
      .nextExpectedRevision;
    revision = (await cutOff.append('cutoff.writer-3', [newEvent('Appended', { n: 4 })], revision))
      .nextExpectedRevision;
    await expectUnbounded();
    // Then it plans.
    revision = (await cutOff.append('cutoff.writer-3', [newEvent('Appended', { n: 5 })], revision))
      .nextExpectedRevision;
    expect(planned).toHaveBeenCalled();
    await expectUnbounded();
    // Another process writes: the next plan's guard refuses it, and it goes the locking way.
    await other.append('cutoff.writer-4', [newEvent('Appended', { n: 6 })], 'no_stream');
    await cutOff.append('cutoff.writer-3', [newEvent('Appended', { n: 7 })], revision);
    expect(abandoned).toHaveBeenCalled();
    await expectUnbounded();
  });
});
