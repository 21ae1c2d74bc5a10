import { createHash } from 'node:crypto';
import { createConnection, type Connection, type ConnectionOptions } from 'mysql2/promise';
import type { DataSourceOptions } from 'typeorm';
import { assertTimeoutSeconds } from './session-timeouts';

export interface MigrationLockOptions {
  /** How long to wait for another process that is migrating the same database (120 s). */
  waitSeconds?: number;
  /**
   * How long the server keeps the lock's session once it stops talking (30 s). The session is
   * idle while the migrations run on a connection of their own, so it sends a keep-alive every
   * `keepAliveMs` (1 s) to stay well inside the bound.
   */
  idleBoundSeconds?: number;
  keepAliveMs?: number;
}

const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Database names go into DDL, where placeholders are not allowed, so only a strict pattern passes. */
export function assertValidDatabaseName(name: string): void {
  if (!DATABASE_NAME.test(name)) {
    throw new Error(`Invalid database name ${JSON.stringify(name)}: use 1 to 64 letters, digits or underscores`);
  }
}

/** Quotes an identifier that has passed `assertValidDatabaseName` (or is a fixed table name). */
export function quoteIdentifier(name: string): string {
  assertValidDatabaseName(name);
  return `\`${name}\``;
}

const DEFAULT_WAIT_SECONDS = 120;
const DEFAULT_IDLE_BOUND_SECONDS = 30;
const DEFAULT_KEEP_ALIVE_MS = 1_000;

/**
 * The lock name of a database's migrations, the same for the event store and the read models, so
 * one database never migrates twice at once. MySQL 8 limits lock names to 64 characters; a long
 * database name is hashed to fit.
 */
export function migrationLockName(database: string): string {
  const name = `${database}.migrate`;
  return name.length <= 64 ? name : `migrate.${createHash('sha256').update(database).digest('hex').slice(0, 48)}`;
}

/**
 * Runs `migrate` while `session` holds the database's migration lock, so concurrent first starts
 * take turns. The server frees a named lock when its session ends; a host that crashes or is cut
 * off ends nothing, and its silent session would keep the lock for `wait_timeout` (hours), every
 * other start failing after its wait. So the session's silence is bounded while it holds the lock.
 * `session` must be one no one else uses; ending it releases the lock (the caller ends it).
 */
export async function whileHoldingMigrationLock<T>(
  session: Connection,
  database: string,
  migrate: () => Promise<T>,
  options: MigrationLockOptions = {},
): Promise<T> {
  const waitSeconds = options.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  const idleBoundSeconds = options.idleBoundSeconds ?? DEFAULT_IDLE_BOUND_SECONDS;
  assertTimeoutSeconds(idleBoundSeconds, 'The migration lock idle bound');
  const [rows] = await session.query('SELECT GET_LOCK(?, ?) AS granted', [migrationLockName(database), waitSeconds]);
  if (Number((rows as Array<{ granted: unknown }>)[0]?.granted) !== 1) {
    throw new Error(`Timed out waiting for another process to finish migrating ${database}`);
  }
  await session.query('SET SESSION wait_timeout = ?', [idleBoundSeconds]);
  let lost: unknown = null;
  const keepAlive = setInterval(() => {
    session.query('SELECT 1').catch((error: unknown) => {
      lost ??= error;
    });
  }, options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  keepAlive.unref();
  try {
    const result = await migrate();
    if (lost !== null) {
      // Another process may have taken the lock and migrated at the same time: say so, and let
      // the next start (which finds the migrations recorded) go on.
      throw new Error(`Lost the migration lock of ${database} while migrating: ${(lost as Error).message}`);
    }
    return result;
  } finally {
    clearInterval(keepAlive);
  }
}

/**
 * Creates `database` if it is missing (`createOptions`: its character set) and runs its pending
 * migrations under the migration lock, so a fresh deployment needs no manual step and concurrent
 * first starts take turns. `migrations` is loaded only then: TypeORM costs most of a second to
 * load, which every process that merely appends or reads would pay for.
 */
export async function migrateDatabase(
  connection: ConnectionOptions,
  database: string,
  createOptions: string,
  migrations: () => Promise<DataSourceOptions['migrations']>,
): Promise<void> {
  assertValidDatabaseName(database);
  const admin = await createConnection({ ...connection, database: undefined, multipleStatements: false });
  try {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}${createOptions}`);
    await whileHoldingMigrationLock(admin, database, async () => {
      const { DataSource } = await import('typeorm');
      const dataSource = new DataSource({
        type: 'mysql',
        host: connection.host,
        port: connection.port,
        socketPath: connection.socketPath,
        username: connection.user,
        password: typeof connection.password === 'string' ? connection.password : undefined,
        ssl: connection.ssl,
        database,
        charset: 'utf8mb4',
        poolSize: 1,
        migrations: await migrations(),
        migrationsTableName: 'schema_migrations',
        logging: false,
      });
      await dataSource.initialize();
      try {
        await dataSource.runMigrations();
      } finally {
        await dataSource.destroy();
      }
    });
  } finally {
    // Ending the session releases the named lock too, also when a migration failed.
    await admin.end();
  }
}
