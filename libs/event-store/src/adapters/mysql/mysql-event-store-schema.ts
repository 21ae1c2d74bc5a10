import { createHash } from 'node:crypto';
import { createConnection, type ConnectionOptions } from 'mysql2/promise';

export const DEFAULT_EVENT_STORE_DATABASE = 'tracershop_events';

/** Seconds to wait for another process that is migrating the same database. */
const MIGRATION_LOCK_TIMEOUT_SECONDS = 120;

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

/**
 * Creates the event store database if it is missing and runs the pending migrations, so a fresh
 * deployment needs no manual step. A named lock makes concurrent first starts take turns.
 */
export async function migrateEventStoreSchema(
  connection: ConnectionOptions,
  database: string = DEFAULT_EVENT_STORE_DATABASE,
): Promise<void> {
  assertValidDatabaseName(database);
  const admin = await createConnection({ ...connection, database: undefined, multipleStatements: false });
  try {
    await admin.query(
      `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`,
    );
    const [rows] = await admin.query('SELECT GET_LOCK(?, ?) AS granted', [
      migrationLockName(database),
      MIGRATION_LOCK_TIMEOUT_SECONDS,
    ]);
    if (Number((rows as Array<{ granted: unknown }>)[0]?.granted) !== 1) {
      throw new Error(`Timed out waiting for another process to finish migrating ${database}`);
    }
    // Loaded here, not at module load: only migrating needs TypeORM, and it is slow to load, which
    // every process that merely appends or reads would pay for.
    const { DataSource } = await import('typeorm');
    const { eventStoreMigrations } = await import('../../../../../migrations/eventstore');
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
      migrations: eventStoreMigrations,
      migrationsTableName: 'schema_migrations',
      logging: false,
    });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
    } finally {
      await dataSource.destroy();
    }
  } finally {
    // Ending the session releases the named lock too, also when a migration failed.
    await admin.end();
  }
}

/** MySQL 8 limits lock names to 64 characters; a long database name is hashed to fit. */
function migrationLockName(database: string): string {
  const name = `${database}.migrate`;
  return name.length <= 64 ? name : `migrate.${createHash('sha256').update(database).digest('hex').slice(0, 48)}`;
}
