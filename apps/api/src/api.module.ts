import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import type { Logger } from 'pino';
import type { TracershopConfig } from '@tracershop/config';
import {
  AccessGuard,
  HealthModule,
  IdempotencyInterceptor,
  MetricsController,
  PlatformModule,
  ProjectionsModule,
  ProjectionsReadiness,
  ReadYourWritesInterceptor,
} from '@tracershop/platform';
import { allProjections } from '@tracershop/projections/all';
import { AuditModule } from './audit/audit.module';
import { BoardModule } from './board/board.module';
import { BookingsModule } from './bookings/bookings.module';
import { CatalogModule } from './catalog/catalog.module';
import { IdentityModule } from './identity/identity.module';
import { LegacyIdsModule } from './legacy-ids/legacy-ids.module';
import { LegacySyncModule } from './legacy-sync/legacy-sync.module';
import { OrderingModule } from './ordering/ordering.module';
import { RealtimeModule } from './realtime/realtime.module';

/** The HTTP API: one module per bounded context, on the shared platform. */
@Module({})
export class ApiModule {
  static register(config: TracershopConfig, logger: Logger): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot({ service: 'api', config, logger }),
        // The api reads checkpoints (read-your-writes, health) but never runs projections.
        ProjectionsModule.register({ projections: allProjections, run: false }),
        HealthModule.register([ProjectionsReadiness]),
        LegacyIdsModule,
        LegacySyncModule,
        IdentityModule,
        CatalogModule,
        OrderingModule,
        BookingsModule,
        BoardModule,
        RealtimeModule,
        AuditModule,
      ],
      controllers: [MetricsController],
      providers: [
        // Every route: authenticate, then the route's declared rule (a route without one is closed).
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor },
      ],
    };
  }
}
