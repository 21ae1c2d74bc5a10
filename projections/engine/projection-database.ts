import type { ConnectionOptions } from 'mysql2/promise';
import { migrateDatabase } from '@tracershop/event-store/adapters/mysql';
import { recordMigrations } from '../../migrations/record';
import { webMigrations } from '../../migrations/web';
import type { ProjectionTarget } from './projection';

/** Default names (DESIGN.md, "Databases"); the old deployment's record database is `TracerShop`. */
export const DEFAULT_PROJECTION_DATABASES: Readonly<Record<ProjectionTarget, string>> = {
  record: 'TracerShop',
  web: 'tracershop_web',
};

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
  await migrateDatabase(connection, database, target === 'web' ? ' CHARACTER SET utf8mb4' : '', async () => [
    ...MIGRATIONS[target],
  ]);
}
