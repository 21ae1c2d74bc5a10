import { createHash } from 'node:crypto';
import { createConnection, type ConnectionOptions } from 'mysql2/promise';
import { assertValidDatabaseName, quoteIdentifier } from '@tracershop/event-store/adapters/mysql';
import { recordMigrations } from '../../migrations/record';
import { webMigrations } from '../../migrations/web';
import type { ProjectionTarget } from './projection';

/** Default names (DESIGN.md, "Databases"); the old deployment's record database is `TracerShop`. */
export const DEFAULT_PROJECTION_DATABASES: Readonly<Record<ProjectionTarget, string>> = {
  record: 'TracerShop',
  web: 'tracershop_web',
};

/** Seconds to wait for another process that is migrating the same database. */
const MIGRATION_LOCK_TIMEOUT_SECONDS = 120;

const MIGRATIONS = { record: recordMigrations, web: webMigrations } as const;

/**
 * Creates a projection target database if it is missing and runs its pending migrations (among
 * them `projection_checkpoints`), so a fresh deployment needs no manual step. A named lock makes
 * concurrent first starts take turns. The record database is created with the server's default
 * character set: it hosts the old system's tables, whose charset the legacy contract leaves open;
 * every table states its own.
 */
export async function migrateProjectionDatabase(
  connection: ConnectionOptions,
  target: ProjectionTarget,
  database: string = DEFAULT_PROJECTION_DATABASES[target],
): Promise<void> {
  assertValidDatabaseName(database);
  const admin = await createConnection({ ...connection, database: undefined, multipleStatements: false });
  try {
    const charset = target === 'web' ? ' CHARACTER SET utf8mb4' : '';
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}${charset}`);
    const [rows] = await admin.query('SELECT GET_LOCK(?, ?) AS granted', [
      migrationLockName(database),
      MIGRATION_LOCK_TIMEOUT_SECONDS,
    ]);
    if (Number((rows as Array<{ granted: unknown }>)[0]?.granted) !== 1) {
      throw new Error(`Timed out waiting for another process to finish migrating ${database}`);
    }
    // Loaded here, not at import: TypeORM costs most of a second, and only migrations need it.
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
      migrations: [...MIGRATIONS[target]],
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

/** The same lock name the event store's migration takes, so one database never migrates twice at once. */
function migrationLockName(database: string): string {
  const name = `${database}.migrate`;
  return name.length <= 64 ? name : `migrate.${createHash('sha256').update(database).digest('hex').slice(0, 48)}`;
}
