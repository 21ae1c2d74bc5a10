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

/** Runs every projection (one active runner per projection across processes; others stand by). */
@Module({})
export class ProjectorModule {
  static register(config: TracershopConfig, logger: Logger): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        PlatformModule.forRoot({ service: 'projector', config, logger }),
        ProjectionsModule.register({ projections: allProjections, run: true }),
        HealthModule.register([ProjectionsReadiness]),
      ],
      controllers: [MetricsController],
    };
  }
}
