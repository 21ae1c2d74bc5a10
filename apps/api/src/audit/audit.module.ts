import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/** Auditors' reads of the record itself (the event store). */
@Module({ controllers: [AuditController] })
export class AuditModule {}
