import { Module } from '@nestjs/common';
import { CapturedChangesController } from './captured-changes.controller';
import { CapturedChangesMetrics } from './captured-changes-metrics';
import { CapturedChangesReport } from './captured-changes-report';

/** The parallel run with the old system: what the worker's sync made of its captured changes. */
@Module({
  controllers: [CapturedChangesController],
  providers: [CapturedChangesReport, CapturedChangesMetrics],
})
export class LegacySyncModule {}
