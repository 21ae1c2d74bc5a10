import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { IdentityModule } from '../identity/identity.module';
import { LegacyIdsModule } from '../legacy-ids/legacy-ids.module';
import { BusinessClock } from './business-clock';
import { OrderLocator } from './order-locator';
import { orderingReadModelProvider } from './ordering-read-model.provider';
import { OrderingService } from './ordering.service';
import { ActivityOrdersController, InjectionOrdersController, OrderStatusController } from './orders.controller';
import { ReleasesController, VialsController } from './releases.controller';
import {
  DayBoardController,
  OrderQueriesController,
  ReleaseQueriesController,
  VialQueriesController,
} from './ordering-queries.controller';

/** Tracer ordering: activity and injection orders, moves and ghost orders, vials and signed releases. */
@Module({
  imports: [CatalogModule, IdentityModule, LegacyIdsModule],
  controllers: [
    OrderStatusController,
    ActivityOrdersController,
    InjectionOrdersController,
    ReleasesController,
    VialsController,
    OrderQueriesController,
    DayBoardController,
    ReleaseQueriesController,
    VialQueriesController,
  ],
  providers: [orderingReadModelProvider, BusinessClock, OrderLocator, OrderingService],
  exports: [OrderingService, BusinessClock, orderingReadModelProvider],
})
export class OrderingModule {}
