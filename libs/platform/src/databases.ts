import { createConnection, createPool, type Pool } from 'mysql2/promise';
import type { TracershopConfig } from '@tracershop/config';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';

/** Creates the database when it is missing (first start), then a pool on it. */
export async function openDatabasePool(
  config: TracershopConfig,
  database: string,
  connectionLimit = 10,
): Promise<Pool> {
  const admin = await createConnection({ ...config.mysql });
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await admin.end();
  }
  return createPool({
    ...config.mysql,
    database,
    connectionLimit,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    charset: 'utf8mb4',
  });
}
