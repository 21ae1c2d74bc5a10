import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrderingModule } from '../ordering/ordering.module';
import { auditReadModelProvider } from './audit-read-model.provider';
import { AuditTrailReviewsController } from './audit-trail-reviews.controller';
import { AuditController } from './audit.controller';
import { EventSearchController } from './event-search.controller';
import { IncidentsController } from './incidents.controller';
import { SignatureRegisterController } from './signature-register.controller';

/**
 * Auditors' reads of the record itself (the event store) and of the signature register, the
 * signed reviews of records' audit trails, and incidents.
 */
@Module({
  imports: [OrderingModule, IdentityModule],
  providers: [auditReadModelProvider],
  controllers: [
    AuditController,
    EventSearchController,
    SignatureRegisterController,
    AuditTrailReviewsController,
    IncidentsController,
  ],
})
export class AuditModule {}
