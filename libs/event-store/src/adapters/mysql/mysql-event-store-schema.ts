import type { ConnectionOptions } from 'mysql2/promise';
import { migrateDatabase } from './database-migration';

export const DEFAULT_EVENT_STORE_DATABASE = 'tracershop_events';

/**
 * Creates the event store database if it is missing and runs the pending migrations, so a fresh
 * deployment needs no manual step. A named lock makes concurrent first starts take turns.
 */
export async function migrateEventStoreSchema(
  connection: ConnectionOptions,
  database: string = DEFAULT_EVENT_STORE_DATABASE,
): Promise<void> {
  await migrateDatabase(
    connection,
    database,
    ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin',
    async () => (await import('../../../../../migrations/eventstore')).eventStoreMigrations,
  );
}
