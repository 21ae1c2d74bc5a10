import { HttpCode, HttpStatus, Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext, CommandResult } from '@tracershop/command-pipeline';
import { Allow, Command, ExecuteDomainCommand, HttpProblem, ReadsProjections } from '@tracershop/platform';
import { LEGACY_SYNC_PROJECTION_NAME } from '@tracershop/projections/record';
import { LEGACY_SYNC_READERS, LEGACY_SYNC_RECONCILERS } from '../access-roles';
import { ReasonDto } from '../catalog/catalog.dto';
import { capturedChangeCommand } from './captured-change-commands';
import { CapturedChangesReport } from './captured-changes-report';
import { CapturedChangesPageDto, CapturedChangesQueryDto } from './captured-changes.dto';

@ApiTags('legacy: parallel run')
@Controller('legacy/captured-changes')
export class CapturedChangesController {
  constructor(
    private readonly report: CapturedChangesReport,
    private readonly bus: CommandBus,
  ) {}

  /**
   * The reconciliation report: each change the old system made itself, and what the sync made of
   * it. `open=true` lists the rejected and unsupported changes nobody has dealt with yet.
   */
  @Get()
  @Allow(...LEGACY_SYNC_READERS)
  @ReadsProjections(LEGACY_SYNC_PROJECTION_NAME)
  @ApiOkResponse({
    type: CapturedChangesPageDto,
    description: 'Captured changes in id order, with the counts by outcome',
  })
  list(@Query() query: CapturedChangesQueryDto) {
    const { limit = 50, cursor, outcome, table, open } = query;
    return this.report.list({ outcome, table, open, limit, after: cursor ?? null });
  }

  /**
   * Closes a rejected or unsupported change on the report, with the reason (what was done about
   * it, or why nothing needs doing). The statement is an event: who, when and why stay on record.
   */
  @Post(':id/reconcile')
  @Allow(...LEGACY_SYNC_RECONCILERS)
  @HttpCode(200)
  @ApiOkResponse({ description: 'The event appended (none for the same statement again)' })
  async reconcile(
    @Param('id') id: string,
    @Body() { reason }: ReasonDto,
    @Command() context: CommandContext,
  ): Promise<CommandResult & { id: string }> {
    const change = /^\d{1,19}$/.test(id) ? await this.report.get(id) : null;
    if (!change) {
      throw new HttpProblem(HttpStatus.NOT_FOUND, 'CAPTURED_CHANGE_NOT_FOUND', `No captured change ${id}`, { id });
    }
    const result: CommandResult = await this.bus.execute(
      new ExecuteDomainCommand(
        capturedChangeCommand,
        {
          type: 'ReconcileCapturedChange' as const,
          change: {
            captureId: Number(change.id),
            capturedAt: change.capturedAt,
            table: change.table,
            rowKey: change.rowKey,
            outcome: change.outcome,
          },
          reason,
          at: new Date().toISOString(),
        },
        { ...context, reason },
      ),
    );
    return { id, ...result };
  }
}
