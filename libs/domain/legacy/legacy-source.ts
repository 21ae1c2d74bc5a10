/**
 * `source.system` of events made from the old system's own writes (captured by the record
 * database's triggers and synced by the worker); `source.table` and `source.primaryKey` name its row.
 */
export const OLD_SYSTEM_SOURCE = 'old-tracershop';
