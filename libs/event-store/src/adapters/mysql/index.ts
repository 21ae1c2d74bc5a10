export { MysqlEventStore, type MysqlEventStoreOptions, type StreamReadRequest } from './mysql-event-store';
export {
  assertValidDatabaseName,
  DEFAULT_EVENT_STORE_DATABASE,
  migrateEventStoreSchema,
  quoteIdentifier,
} from './mysql-event-store-schema';
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
