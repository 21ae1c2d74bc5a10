export {
  assertValidProjection,
  eventMatcher,
  PROJECTION_TARGETS,
  type ApplyMode,
  type Projection,
  type ProjectionTarget,
  type ProjectionTransaction,
  type ShadowMerge,
  type SwapPreparation,
} from './projection';
export { abortableSleep } from './abortable-sleep';
export { isTransientDatabaseError } from './batch-transaction';
export { fitLockName } from './physical-names';
export { ProjectionLock } from './projection-lock';
export { businessTimeOf } from './business-time';
export { BatchRows, uniqueKeysOf, type BatchRowTable, type TextRow } from './batch-rows';
export { loadRows, MIN_LOAD_ROWS, type LoadOptions, type RowLoad } from './row-load';
export {
  DEFAULT_WAIT_FOR_POSITION_MS,
  ProjectionEngine,
  type ProjectionDatabase,
  type ProjectionEngineOptions,
} from './projection-engine';
export {
  CheckpointStore,
  HANDOVER_TIMEOUT_SECONDS,
  type Checkpoint,
  type CheckpointSlot,
  type CheckpointStatus,
  type ProjectionFailure,
} from './checkpoint-store';
export {
  CheckpointMovedError,
  ProjectionError,
  ProjectionNotCaughtUpError,
  RebuildError,
  UnknownProjectionError,
} from './projection-errors';
export { DEFAULT_PROJECTION_DATABASES, migrateProjectionDatabase } from './projection-database';
export { consoleProjectionLogger, type ProjectionLogger } from './projection-logger';
export type { RebuildOptions, RebuildReport } from './projection-rebuild';
export type { RunnerSnapshot, RunnerState } from './projection-runner';
export {
  LAG_COUNT_CAP,
  projectionMetricsText,
  type LagCounting,
  type ProjectionLag,
  type ProjectionStatus,
} from './projection-status';
