/**
 * `source.system` of events made from the old system's own writes (captured by the record
 * database's triggers and synced by the worker); `source.table` and `source.primaryKey` name its row.
 */
export const OLD_SYSTEM_SOURCE = 'old-tracershop';

/** The old system's tables whose writes the record database's triggers capture. */
export const CAPTURED_LEGACY_TABLES = [
  'orders',
  't_orders',
  'VAL',
  'Users',
  'UserRoles',
  'Tracers',
  'TracerCustomer',
  'isotopes',
  'deliverTimes',
  'productionTimes',
  'blockDeliverDate',
] as const;

/**
 * What became of a captured change: `pending` until the sync took it; `applied` (events appended),
 * `unchanged` (nothing to change, e.g. synced before), `rejected` (a rule refused it) or
 * `unsupported` (the sync does not translate such changes): the last two are for reconciliation.
 */
export const CAPTURE_OUTCOMES = ['pending', 'applied', 'unchanged', 'rejected', 'unsupported'] as const;
export type CaptureOutcome = (typeof CAPTURE_OUTCOMES)[number];
