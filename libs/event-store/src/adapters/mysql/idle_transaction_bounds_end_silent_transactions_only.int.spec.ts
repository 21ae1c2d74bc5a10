import { createPool, type Pool } from 'mysql2/promise';
import { MYSQL_TEST_CONNECTION } from '../../../../../test/contract/mysql-test-database';
import { PartitionProxy } from '../../../../../test/fault/partition-proxy';
import {
  boundIdleTransactions,
  detectServerFlavour,
  idleSessionPoolOptions,
  type ServerFlavour,
} from './session-timeouts';

/** Small, so the tests take seconds. */
const BOUND_SECONDS = 2;
const LIMIT = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pool as `openReadModelDatabase` opens one, for the given flavour of the bound. */
function boundedPool(flavour: ServerFlavour, through?: PartitionProxy): Pool {
  const connection = through ? through.connection(MYSQL_TEST_CONNECTION) : MYSQL_TEST_CONNECTION;
  const pool = createPool({
    ...connection,
    connectionLimit: LIMIT,
    ...idleSessionPoolOptions(flavour, BOUND_SECONDS, LIMIT),
  });
  boundIdleTransactions(pool, flavour, BOUND_SECONDS);
  return pool;
}

async function sessionAlive(observer: Pool, sessionId: number): Promise<boolean> {
  const [rows] = await observer.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [
    sessionId,
  ]);
  return Number((rows as Array<{ n: unknown }>)[0].n) === 1;
}

describe('idle transaction bounds of a pool', () => {
  let server: ServerFlavour;
  let observer: Pool;

  beforeAll(async () => {
    server = await detectServerFlavour(MYSQL_TEST_CONNECTION);
    observer = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 1 });
  });

  afterAll(async () => {
    await observer.end();
  });

  // The MySQL way (wait_timeout) works on MariaDB too, so both are tried wherever MariaDB runs the tests.
  const flavours = (): ServerFlavour[] => (server === 'mariadb' ? ['mariadb', 'mysql'] : ['mysql']);

  it('given a session cut off inside its transaction, then the server ends it after the bound', async () => {
    for (const flavour of flavours()) {
      const proxy = await PartitionProxy.start(MYSQL_TEST_CONNECTION);
      const pool = boundedPool(flavour, proxy);
      try {
        const connection = await pool.getConnection();
        const sessionId = connection.threadId;
        await connection.query('START TRANSACTION');
        await connection.query('SELECT 1');
        proxy.partition();
        const started = Date.now();
        while (await sessionAlive(observer, sessionId)) {
          if (Date.now() - started > (BOUND_SECONDS + 5) * 1000) throw new Error(`${flavour}: the session lives on`);
          await sleep(100);
        }
        expect(Date.now() - started).toBeGreaterThanOrEqual((BOUND_SECONDS - 1) * 1000);
      } finally {
        await proxy.close();
        await pool.end().catch(() => undefined);
      }
    }
  });

  it('given a transaction that keeps talking for longer than the bound, then it is not ended', async () => {
    for (const flavour of flavours()) {
      const pool = boundedPool(flavour);
      try {
        const connection = await pool.getConnection();
        await connection.query('START TRANSACTION');
        for (let step = 0; step < 4; step++) {
          await sleep((BOUND_SECONDS * 1000) / 2);
          await connection.query('SELECT 1');
        }
        await connection.query('COMMIT');
        connection.release();
      } finally {
        await pool.end();
      }
    }
  });

  it('given sessions idle in the pool, then with the MySQL bound the pool retires them before the server would, with the MariaDB bound they live on, and either way the pool hands out sessions that work', async () => {
    for (const flavour of flavours()) {
      const pool = boundedPool(flavour);
      try {
        const held = await Promise.all(Array.from({ length: LIMIT }, () => pool.getConnection()));
        await Promise.all(held.map((connection) => connection.query('SELECT 1')));
        const sessions = held.map((connection) => connection.threadId);
        for (const connection of held) connection.release();
        const released = Date.now();
        if (flavour === 'mysql') {
          // The server would end them BOUND_SECONDS after their last statement.
          for (;;) {
            const alive = await Promise.all(sessions.map((id) => sessionAlive(observer, id)));
            if (!alive.includes(true)) break;
            expect(Date.now() - released).toBeLessThan(BOUND_SECONDS * 1000 - 200);
            await sleep(50);
          }
        } else {
          await sleep(BOUND_SECONDS * 1000 + 1_000);
          expect(await Promise.all(sessions.map((id) => sessionAlive(observer, id)))).toEqual(sessions.map(() => true));
        }
        await sleep(Math.max(0, BOUND_SECONDS * 1000 + 1_000 - (Date.now() - released)));
        await Promise.all(Array.from({ length: 2 * LIMIT }, () => pool.query('SELECT 1')));
      } finally {
        await pool.end();
      }
    }
  });
});
