import { randomBytes } from 'node:crypto';
import { createConnection, type Connection, type ConnectionOptions, type PoolOptions } from 'mysql2/promise';
import { quoteIdentifier } from '@tracershop/event-store/adapters/mysql';

/**
 * The server the integration tests (and the benchmarks' own connections) use; the defaults match a
 * developer machine. MYSQL_SOCKET, as for the services, reaches it over its Unix socket instead.
 */
export const MYSQL_TEST_CONNECTION: PoolOptions = {
  host: process.env.MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.MYSQL_PORT ?? 3306),
  user: process.env.MYSQL_USER ?? 'root',
  password: process.env.MYSQL_PASSWORD ?? '',
  ...(process.env.MYSQL_SOCKET ? { socketPath: process.env.MYSQL_SOCKET } : {}),
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
