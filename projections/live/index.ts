import type { Projection } from '@tracershop/projections/engine';
import { liveDashboardsProjection } from './live-dashboards-projection';

export {
  LIVE_DASHBOARDS_PROJECTION_NAME,
  liveDashboardEventTypes,
  liveDashboardsProjection,
} from './live-dashboards-projection';
export * from './live-rows';
export { LiveLogPruner, liveLogPrunerLockName, type LiveLogPrunerOptions, type PruneReport } from './live-log-pruner';
export { LiveReadModel, type LiveSnapshot, type TopicPage } from './live-read-model';
export { liveTables, utcDatetimeOf, type LiveTable } from './live-tables';

/** Every projection that feeds the realtime gateway; the projector runs them all. */
export const liveProjections: readonly Projection[] = [liveDashboardsProjection];
