import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '@tracershop/platform';
import { LEGACY_SYNC_READERS } from '../access-roles';
import { CapturedChangesReport } from './captured-changes-report';
import { CapturedChangesQueryDto } from './captured-changes.dto';

@ApiTags('legacy: parallel run')
@Controller('legacy/captured-changes')
export class CapturedChangesController {
  constructor(private readonly report: CapturedChangesReport) {}

  /**
   * The reconciliation report: each change the old system made itself, and what the sync made of
   * it. `outcome=rejected` and `outcome=unsupported` list what still needs a person.
   */
  @Get()
  @Allow(...LEGACY_SYNC_READERS)
  @ApiOkResponse({ description: 'Captured changes in id order, with the counts by outcome' })
  list(@Query() query: CapturedChangesQueryDto) {
    const { limit = 50, cursor, outcome, table } = query;
    return this.report.list({ outcome, table, limit, after: cursor ?? null });
  }
}
