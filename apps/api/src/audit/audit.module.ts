import { Module } from '@nestjs/common';
import { OrderingModule } from '../ordering/ordering.module';
import { AuditController } from './audit.controller';
import { EventSearchController } from './event-search.controller';
import { SignatureRegisterController } from './signature-register.controller';

/** Auditors' reads of the record itself (the event store) and of the signature register. */
@Module({
  imports: [OrderingModule],
  controllers: [AuditController, EventSearchController, SignatureRegisterController],
})
export class AuditModule {}
