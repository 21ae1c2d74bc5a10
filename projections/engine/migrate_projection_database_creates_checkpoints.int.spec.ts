import { createPool } from 'mysql2/promise';
import { dropTestDatabase, MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { recordTestDatabaseName } from '../../test/projections/projection-test-bed';
import { recordMigrations } from '../../migrations/record';
import { webMigrations } from '../../migrations/web';
import { migrateProjectionDatabase } from './projection-database';
import type { ProjectionTarget } from './projection';

describe('migrateProjectionDatabase', () => {
  const databases: string[] = [];
  const pool = createPool({ ...MYSQL_TEST_CONNECTION, connectionLimit: 2 });

  afterAll(async () => {
    await pool.end();
    for (const database of databases) await dropTestDatabase(database);
  });

  it.each<ProjectionTarget>(['record', 'web'])(
    'creates the %s database and its checkpoint table, and is safe to run again and concurrently',
    async (target) => {
      const database = recordTestDatabaseName(`migrate_${target}`);
      databases.push(database);
      await Promise.all([
        migrateProjectionDatabase(MYSQL_TEST_CONNECTION, target, database),
        migrateProjectionDatabase(MYSQL_TEST_CONNECTION, target, database),
      ]);
      await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, target, database);
      const [columns] = await pool.query(
        `SELECT column_name AS name FROM information_schema.columns
         WHERE table_schema = ? AND table_name = 'projection_checkpoints' ORDER BY ordinal_position`,
        [database],
      );
      expect((columns as Array<{ name: string }>).map((column) => column.name)).toEqual([
        'name',
        'slot',
        'version',
        'axis',
        'position',
        'status',
        'events_applied',
        'last_batch_size',
        'last_batch_at',
        'failed_position',
        'failed_event_id',
        'failed_event_type',
        'failure_message',
        'failed_at',
        'active_instance',
        'handover_requested_at',
        'swap_tables',
        'started_at',
        'updated_at',
      ]);
      const [migrations] = await pool.query(`SELECT name FROM \`${database}\`.schema_migrations`);
      // Each migration recorded once, although three migrators raced.
      expect(migrations).toHaveLength((target === 'record' ? recordMigrations : webMigrations).length);
    },
  );
});
