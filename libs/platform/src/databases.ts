import { createPool, type Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import {
  boundIdleTransactions,
  detectServerFlavour,
  idleSessionPoolOptions,
} from '@tracershop/event-store/adapters/mysql';
import { migrateProjectionDatabase, type ProjectionTarget } from '@tracershop/projections/engine';

/**
 * Longest a read-model session may sit idle inside a transaction before the server ends it. A
 * projection batch holds its checkpoint row from its first statement to its commit, and a runner
 * that takes over waits for that row: a holder whose host crashed or was cut off must not keep it
 * for the hours the server waits by default. A live batch is idle only while its handlers run
 * between statements; a rebuild batch (20,000 events) for seconds at most.
 */
export const DEFAULT_IDLE_TRANSACTION_TIMEOUT_SECONDS = 60;

export interface ReadModelPoolOptions {
  /**
   * Only where projections write: a batch then sends its opening and closing statements in one
   * round trip each. Apps that serve requests keep one statement per query.
   */
  batchStatements?: boolean;
  /**
   * Seconds a session may stay idle inside a transaction (default 60). MariaDB bounds exactly that
   * (`idle_transaction_timeout`); MySQL has no such setting, so there the sessions' `wait_timeout`
   * is set to it (it then bounds idle sessions too), and the pool retires idle sessions before the
   * server would end them.
   */
  idleTransactionTimeoutSeconds?: number;
}

/**
 * A read-model database: created and migrated on first start (its checkpoint table comes from the
 * migrations), then a pool on it.
 */
export async function openReadModelDatabase(
  config: TracershopConfig,
  target: ProjectionTarget,
  connectionLimit = 20,
  {
    batchStatements = false,
    idleTransactionTimeoutSeconds = DEFAULT_IDLE_TRANSACTION_TIMEOUT_SECONDS,
  }: ReadModelPoolOptions = {},
): Promise<Pool> {
  const database = config.databases[target];
  await migrateProjectionDatabase({ ...config.mysql }, target, database);
  const flavour = await detectServerFlavour({ ...config.mysql });
  const pool = createPool({
    ...config.mysql,
    database,
    connectionLimit,
    ...idleSessionPoolOptions(flavour, idleTransactionTimeoutSeconds, connectionLimit),
    multipleStatements: batchStatements,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
  });
  boundIdleTransactions(pool, flavour, idleTransactionTimeoutSeconds);
  return pool;
}
