import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from 'mysql2/promise';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { PartitionProxy } from '../../test/fault/partition-proxy';
import { lockIdleTimeoutSeconds, ProjectionLock } from './projection-lock';

const KEEP_ALIVE_MS = 100;

async function waitTimeouts(pool: Pool): Promise<{ session: number; global: number }> {
  const [rows] = await pool.query('SELECT @@SESSION.wait_timeout AS session, @@GLOBAL.wait_timeout AS global');
  const [{ session, global }] = rows as Array<{ session: unknown; global: unknown }>;
  return { session: Number(session), global: Number(global) };
}

describe('a named lock whose holder is cut off by the network', () => {
  let observer: Pool;

  beforeAll(() => {
    observer = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 1 });
  });

  afterAll(async () => {
    await observer.end();
  });

  it('bounds the lock session at 30 keep-alives, at least 3 s', () => {
    expect(lockIdleTimeoutSeconds(1_000)).toBe(30);
    expect(lockIdleTimeoutSeconds(KEEP_ALIVE_MS)).toBe(3);
    expect(lockIdleTimeoutSeconds(5_000)).toBe(150);
  });

  for (const multipleStatements of [true, false]) {
    const sessions = multipleStatements ? 'several statements per request' : 'one statement per request';

    it(`given a pool that sends ${sessions}, when the holder goes silent, then the server frees the lock after the bound`, async () => {
      // Given
      const name = `cutoff.lock.${randomBytes(4).toString('hex')}`;
      const proxy = await PartitionProxy.start(MYSQL_TEST_CONNECTION);
      const pool = createPool({ ...proxy.connection(MYSQL_TEST_CONNECTION), connectionLimit: 2, multipleStatements });
      try {
        const lock = await ProjectionLock.tryAcquire(pool, name, KEEP_ALIVE_MS);
        expect(lock).not.toBeNull();

        // When
        proxy.partition();
        const cutAt = Date.now();

        // Then
        const [rows] = await observer.query('SELECT GET_LOCK(?, 15) AS granted', [name]);
        expect(Number((rows as Array<{ granted: unknown }>)[0].granted)).toBe(1);
        expect(Date.now() - cutAt).toBeLessThan(lockIdleTimeoutSeconds(KEEP_ALIVE_MS) * 1000 + 3_000);
        await observer.query('SELECT RELEASE_LOCK(?)', [name]);
        await proxy.close();
        await lock?.release();
      } finally {
        await proxy.close();
        await pool.end().catch(() => undefined);
      }
    });

    it(`given a pool that sends ${sessions}, when a lock is taken, refused and released, then its session goes back to the pool with its own wait_timeout`, async () => {
      const name = `cutoff.lock.${randomBytes(4).toString('hex')}`;
      const pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 1, multipleStatements });
      try {
        await pool.query('SET SESSION wait_timeout = 1234');
        const lock = await ProjectionLock.tryAcquire(pool, name, KEEP_ALIVE_MS, 7);
        expect(lock).not.toBeNull();
        // A second attempt from another pool is refused and changes nothing there either.
        const other = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 1, multipleStatements });
        try {
          expect(await ProjectionLock.tryAcquire(other, name, KEEP_ALIVE_MS, 7)).toBeNull();
          const seen = await waitTimeouts(other);
          expect(seen.session).toBe(seen.global);
        } finally {
          await other.end();
        }
        await lock?.release();
        expect((await waitTimeouts(pool)).session).toBe(1234);
      } finally {
        await pool.end();
      }
    });
  }

  it('while held, the lock session carries the bound', async () => {
    const name = `cutoff.lock.${randomBytes(4).toString('hex')}`;
    const pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 2, multipleStatements: true });
    try {
      const lock = await ProjectionLock.tryAcquire(pool, name, KEEP_ALIVE_MS, 7);
      const connection = (lock as unknown as { connection: { query(sql: string): Promise<[unknown, unknown]> } })
        .connection;
      const [rows] = await connection.query('SELECT @@SESSION.wait_timeout AS session');
      expect(Number((rows as Array<{ session: unknown }>)[0].session)).toBe(7);
      await lock?.release();
    } finally {
      await pool.end();
    }
  });
});
