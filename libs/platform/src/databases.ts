import { createPool, type Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { migrateProjectionDatabase, type ProjectionTarget } from '@tracershop/projections/engine';

/**
 * A read-model database: created and migrated on first start (its checkpoint table comes from the
 * migrations), then a pool on it.
 */
export async function openReadModelDatabase(
  config: TracershopConfig,
  target: ProjectionTarget,
  connectionLimit = 20,
  { batchStatements = false }: { batchStatements?: boolean } = {},
): Promise<Pool> {
  const database = config.databases[target];
  await migrateProjectionDatabase({ ...config.mysql }, target, database);
  return createPool({
    ...config.mysql,
    database,
    connectionLimit,
    // Only where projections write: a batch then sends its opening and closing statements in one
    // round trip each. Apps that serve requests keep one statement per query.
    multipleStatements: batchStatements,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
  });
}
