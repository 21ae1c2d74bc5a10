import { randomBytes } from 'node:crypto';
import { createConnection, createPool } from 'mysql2/promise';
import type { EventStore } from '@tracershop/event-store';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import {
  consoleProjectionLogger,
  migrateProjectionDatabase,
  ProjectionEngine,
  type Projection,
} from '@tracershop/projections/engine';
import { MYSQL_TEST_CONNECTION } from '../../test/contract/mysql-test-database';
import { dropDatabases } from '../commands/app-processes';
import type { RebuildRun } from '../commands/rebuild-throughput';
import { CpuWatch, findDatabaseServerPid } from '../commands/cpu-usage';

/**
 * `rebuild(<name>)` as the CLI runs it, for any record projection, on a record database of its
 * own (migrated like the projector's, so the legacy tables, `Roles` and `InsertOrder` exist as in
 * production), dropped afterwards. The same setup as bench/commands/rebuild-throughput.ts's
 * `measureRebuild`, which is fixed to `record.catalog`.
 */
export async function rebuildFromHistory(
  store: EventStore,
  projection: Projection,
  alsoWatched: Record<string, number | null> = {},
  /** Wraps the rebuild itself (not the database's setup and drop), e.g. to profile it. */
  around: <T>(rebuild: () => Promise<T>) => Promise<T> = (rebuild) => rebuild(),
): Promise<RebuildRun> {
  const database = `bench_ord_rebuild_${randomBytes(4).toString('hex')}`;
  try {
    await migrateProjectionDatabase(MYSQL_TEST_CONNECTION, 'record', database);
    // The pool options the projector uses for the record database (libs/platform/src/databases.ts).
    const pool = createPool({
      ...MYSQL_TEST_CONNECTION,
      database,
      connectionLimit: 8,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      charset: 'utf8mb4',
      multipleStatements: true,
    });
    try {
      const engine = new ProjectionEngine({
        eventStore: store,
        databases: { record: { pool, database } },
        projections: [projection],
        logger: consoleProjectionLogger,
      });
      const cpu = new CpuWatch({ engine: process.pid, mariadb: findDatabaseServerPid(), ...alsoWatched });
      cpu.start();
      const report = await around(() => engine.rebuild(projection.name));
      return { report, cpu: cpu.stop() };
    } finally {
      await pool.end();
    }
  } finally {
    await dropDatabases([database]);
  }
}

/** Events in the store by type, most frequent first. */
export async function countEventsByType(eventsDatabase: string): Promise<Record<string, number>> {
  const connection = await createConnection({ ...MYSQL_TEST_CONNECTION, database: eventsDatabase });
  try {
    const [rows] = await connection.query(
      `SELECT type, COUNT(*) AS count FROM ${quoteIdentifier('events')} GROUP BY type ORDER BY count DESC, type`,
    );
    return Object.fromEntries((rows as Array<{ type: string; count: number }>).map((r) => [r.type, Number(r.count)]));
  } finally {
    await connection.end();
  }
}
