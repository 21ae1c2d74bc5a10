import { Module, type DynamicModule } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import { HealthModule, MetricsController, PlatformModule, ProjectionsModule } from '@tracershop/platform';
import { allProjections } from '@tracershop/projections/all';
import { LIVE_DASHBOARDS_PROJECTION_NAME } from '@tracershop/projections/live';
import { LiveLogRetention } from './live-log-retention';
import { HealthReportOn503, ProjectorReadiness } from './projector-health';
import { selectProjections } from './projection-selection';

/**
 * Runs the projections its configuration selects, every one by default (one active runner per
 * projection across processes; others stand by), and, where it runs the live projection, keeps
 * the live message log to its retention. /health is ready while every projection it knows is
 * healthy, and its 503 says which is not and why; /metrics has each one's lag and health.
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
        HealthModule.register([ProjectorReadiness]),
      ],
      providers: [{ provide: APP_INTERCEPTOR, useClass: HealthReportOn503 }, ...(runsLive ? [LiveLogRetention] : [])],
      controllers: [MetricsController],
    };
  }
}
