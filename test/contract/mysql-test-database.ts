import { randomBytes } from 'node:crypto';
import { createConnection, type Connection, type ConnectionOptions, type PoolOptions } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';

/** The server the integration tests use; the defaults match a developer machine. */
export const MYSQL_TEST_CONNECTION: PoolOptions = {
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? 'root',
  password: process.env.MYSQL_PASSWORD ?? '',
};

/** A database name no other run uses, so a test never depends on what an earlier run left. */
export function testDatabaseName(purpose: string): string {
  return `tracershop_events_${purpose}_${randomBytes(4).toString('hex')}`;
}

export async function dropTestDatabase(database: string): Promise<void> {
  const connection = await createConnection({ ...MYSQL_TEST_CONNECTION, database: undefined });
  try {
    await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
  } finally {
    await connection.end();
  }
}

/** A connection on a new, empty database of this name (it is the connection's default database). */
export async function openScratchDatabase(database: string, options: ConnectionOptions = {}): Promise<Connection> {
  const connection = await createConnection({ ...MYSQL_TEST_CONNECTION, ...options });
  await connection.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
  await connection.query(`USE ${quoteIdentifier(database)}`);
  return connection;
}

/** Drops the scratch database and closes its connection. */
export async function closeScratchDatabase(connection: Connection, database: string): Promise<void> {
  await connection.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
  await connection.end();
}
