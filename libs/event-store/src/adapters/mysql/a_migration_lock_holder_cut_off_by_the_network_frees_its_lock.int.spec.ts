import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { MYSQL_TEST_CONNECTION } from '../../../../../test/contract/mysql-test-database';
import { PartitionProxy } from '../../../../../test/fault/partition-proxy';
import { migrationLockName, whileHoldingMigrationLock } from './database-migration';

const IDLE_BOUND_SECONDS = 2;
const KEEP_ALIVE_MS = 100;

/** A migration that runs until `finish` is called. */
function heldMigration(): { migrate: () => Promise<void>; started: Promise<void>; finish: () => void } {
  let finish = () => undefined as void;
  let markStarted = () => undefined as void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    migrate: () => {
      markStarted();
      return done;
    },
    started,
    finish,
  };
}

describe('the lock that makes concurrent migrations of one database take turns', () => {
  const database = `migration_lock_${randomBytes(4).toString('hex')}`;
  let contender: Connection;

  beforeEach(async () => {
    contender = await createConnection({ ...MYSQL_TEST_CONNECTION, database: undefined });
  });

  afterEach(async () => {
    await contender.end();
  });

  it('given a holder migrating, when its host is cut off by the network, then another start migrates after the bound, not hours later', async () => {
    // Given
    const proxy = await PartitionProxy.start(MYSQL_TEST_CONNECTION);
    const holder = await createConnection({ ...proxy.connection(MYSQL_TEST_CONNECTION), database: undefined });
    const first = heldMigration();
    const holding = whileHoldingMigrationLock(holder, database, first.migrate, {
      idleBoundSeconds: IDLE_BOUND_SECONDS,
      keepAliveMs: KEEP_ALIVE_MS,
    }).catch((error: unknown) => error);
    try {
      await first.started;

      // When
      proxy.partition();

      // Then (within a wait far below the server's default wait_timeout of 8 hours)
      const migrated = await whileHoldingMigrationLock(contender, database, async () => 'migrated', {
        waitSeconds: 15,
      });
      expect(migrated).toBe('migrated');
    } finally {
      first.finish();
      await proxy.close();
      holder.destroy();
      await holding;
    }
  });

  it('given a holder migrating for longer than the bound, when another start comes, then it waits: the keep-alive holds the lock', async () => {
    // Given
    const holder = await createConnection({ ...MYSQL_TEST_CONNECTION, database: undefined });
    const first = heldMigration();
    const holding = whileHoldingMigrationLock(holder, database, first.migrate, {
      idleBoundSeconds: IDLE_BOUND_SECONDS,
      keepAliveMs: KEEP_ALIVE_MS,
    });
    try {
      await first.started;
      await new Promise((resolve) => setTimeout(resolve, IDLE_BOUND_SECONDS * 1000 + 1_000));

      // When
      const second = whileHoldingMigrationLock(contender, database, async () => 'migrated', { waitSeconds: 0 });

      // Then
      await expect(second).rejects.toThrow(`Timed out waiting for another process to finish migrating ${database}`);
      const [rows] = await contender.query('SELECT IS_USED_LOCK(?) IS NOT NULL AS used', [migrationLockName(database)]);
      expect(Number((rows as Array<{ used: unknown }>)[0].used)).toBe(1);
    } finally {
      first.finish();
      await holding;
      await holder.end();
    }
  });

  it('names a long database by a hash that fits in 64 characters', () => {
    expect(migrationLockName('TracerShop')).toBe('TracerShop.migrate');
    expect(migrationLockName('x'.repeat(64))).toHaveLength(56);
  });
});
