import { Module } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module';
import { catalogReadModelProvider } from '../catalog/catalog-read-model.provider';
import { LegacyIdsModule } from '../legacy-ids/legacy-ids.module';
import { BusinessClock } from '../ordering/business-clock';
import { BookingsController } from './bookings.controller';
import { bookingsReadModelProvider } from './bookings-read-model.provider';
import { MassOrderService } from './mass-order.service';

/**
 * Bookings from the hospital worklist: import and cancellation (the worklist integration), room
 * mappings and procedure definitions (production), and the mass order that turns a day's bookings
 * into orders through the ordering rules.
 */
@Module({
  imports: [CatalogModule, LegacyIdsModule],
  controllers: [BookingsController],
  providers: [bookingsReadModelProvider, catalogReadModelProvider, BusinessClock, MassOrderService],
})
export class BookingsModule {}
