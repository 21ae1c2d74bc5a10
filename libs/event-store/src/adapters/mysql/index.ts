export { MysqlEventStore, type MysqlEventStoreOptions, type StreamReadRequest } from './mysql-event-store';
export { DEFAULT_EVENT_STORE_DATABASE, migrateEventStoreSchema } from './mysql-event-store-schema';
export { HeadWatcher, type HeadWatcherOptions } from './head-watcher';
export {
  assertTimeoutSeconds,
  boundedSilence,
  boundIdleTransactions,
  detectServerFlavour,
  idleSessionPoolOptions,
  idleTransactionTimeoutStatement,
  serverFlavourOf,
  type ServerFlavour,
} from './session-timeouts';
export {
  assertValidDatabaseName,
  migrateDatabase,
  migrationLockName,
  quoteIdentifier,
  whileHoldingMigrationLock,
  type MigrationLockOptions,
} from './database-migration';
