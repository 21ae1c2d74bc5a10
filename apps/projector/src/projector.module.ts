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
import { LiveLogRetention } from './live-log-retention';

/**
 * Runs every projection (one active runner per projection across processes; others stand by) and
 * keeps the live message log to its retention.
 */
@Module({})
export class ProjectorModule {
  static register(config: TracershopConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        PlatformModule.forRoot({ service: 'projector', config, logger, batchStatements: true }),
        ProjectionsModule.register({ projections: allProjections, run: true }),
        HealthModule.register([ProjectionsReadiness]),
      ],
      providers: [LiveLogRetention],
      controllers: [MetricsController],
    };
  }
}
