import { Module } from '@nestjs/common';
import { LegacyIdsModule } from '../legacy-ids/legacy-ids.module';
import { CatalogCommandSender } from './catalog-command-sender';
import { CatalogLookupsAtHead } from './catalog-lookups-at-head';
import { catalogReadModelProvider } from './catalog-read-model.provider';
import { ClosedDatesController } from './closed-dates.controller';
import { OrderingDeadlinesController } from './ordering-deadlines.controller';
import { CustomersController } from './customers.controller';
import { CustomerScope } from './customer-scope';
import { DeliveryEndpointsController } from './delivery-endpoints.controller';
import { DeliveryTimeSlotsController } from './delivery-time-slots.controller';
import { IsotopesController } from './isotopes.controller';
import { ProductionRunsController } from './production-runs.controller';
import { TracerPermissionListController, TracerPermissionsController } from './tracer-permissions.controller';
import { TracersController } from './tracers.controller';

/** The radiopharmacy's reference data: isotopes, tracers, customers, endpoints, runs, slots, permissions, closed dates. */
@Module({
  imports: [LegacyIdsModule],
  controllers: [
    IsotopesController,
    TracersController,
    CustomersController,
    DeliveryEndpointsController,
    ProductionRunsController,
    DeliveryTimeSlotsController,
    TracerPermissionsController,
    TracerPermissionListController,
    ClosedDatesController,
    OrderingDeadlinesController,
  ],
  providers: [catalogReadModelProvider, CatalogLookupsAtHead, CatalogCommandSender, CustomerScope],
  exports: [CustomerScope, catalogReadModelProvider],
})
export class CatalogModule {}
