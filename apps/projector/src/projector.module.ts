import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import {
  HealthModule,
  MetricsController,
  PlatformModule,
  ProjectionsModule,
  ProjectionsReadiness,
} from '@tracershop/platform';
import { allProjections } from '@tracershop/projections/all';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { LiveLogRetention } from './live-log-retention';
import { selectProjections } from './projection-selection';

/**
 * Runs the projections its configuration selects, every one by default (one active runner per
 * projection across processes; others stand by), and, where it runs the live projection, keeps
 * the live message log to its retention.
 */
@Module({})
export class ProjectorModule {
  static register(config: TracershopConfig, logger: Logger): DynamicModule {
    const projections = selectProjections(allProjections, config.projector);
    const runsLive = projections.some(({ name }) => name === LIVE_DASHBOARDS_PROJECTION_NAME);
    return {
      module: ProjectorModule,
      imports: [
        PlatformModule.forRoot({ service: 'projector', config, logger, batchStatements: true }),
        ProjectionsModule.register({ projections, run: true }),
        HealthModule.register([ProjectionsReadiness]),
      ],
      providers: runsLive ? [LiveLogRetention] : [],
      controllers: [MetricsController],
    };
  }
}
