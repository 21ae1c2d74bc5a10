import { Module, type DynamicModule } from '@nestjs/common';
import type { TracershopConfig } from '@tracershop/config';
import { HealthModule, MetricsController, PlatformModule } from '@tracershop/platform';
import type { Logger } from 'pino';
import { BusinessDateRecorder } from './business-date-recorder';
import { IncidentRaiser } from './incidents/incident-raiser';
import { LegacyInboundSync } from './legacy-sync/legacy-inbound-sync';
import { MaintenanceQueue } from './maintenance-queue';
import { PasswordResetExpiryRecorder } from './password-reset-expiry-recorder';

@Module({})
export class WorkerModule {
  static register(config: TracershopConfig, logger: Logger): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot({ service: 'worker', config, logger }),
        HealthModule.register([
          MaintenanceQueue,
          LegacyInboundSync,
          IncidentRaiser,
          BusinessDateRecorder,
          PasswordResetExpiryRecorder,
        ]),
      ],
      controllers: [MetricsController],
    };
  }
}
