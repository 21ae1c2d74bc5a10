import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { ClosedDatePageDto, ClosedDateViewDto, WeeklyCloseDaysViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { legacyIdAllocatedByHandler } from './catalog-commands';
import {
  CloseDateDto,
  ClosedDateListQueryDto,
  CommandResponseDto,
  GetQueryDto,
  ReasonDto,
  SetWeeklyCloseDaysDto,
} from './catalog.dto';

@ApiTags('catalog: closed dates')
@Controller('catalog')
export class ClosedDatesController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
  ) {}

  @Get('closed-dates')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: ClosedDatePageDto })
  list(@Query() query: ClosedDateListQueryDto) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    return answer(this.readModel.listClosedDates({ limit, ...filters }));
  }

  @Get('closed-dates/:date')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: ClosedDateViewDto })
  get(@Param('date') date: string, @Query() _query: GetQueryDto) {
    return answer(this.readModel.getClosedDate(date), { code: 'CLOSED_DATE_NOT_FOUND', id: date });
  }

  @Get('weekly-close-days')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: WeeklyCloseDaysViewDto })
  weeklyCloseDays(@Query() _query: GetQueryDto) {
    return answer(this.readModel.weeklyCloseDays());
  }

  @Put('closed-dates/:date')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  close(@Param('date') date: string, @Body() body: CloseDateDto, @Command() context: CommandContext) {
    const { reason, legacyId = legacyIdAllocatedByHandler } = body;
    return this.sender.send(
      date,
      this.sender.commands.closedDate,
      { type: 'CloseDate', date, reason, legacyId, at: now() },
      { ...context, reason },
    );
  }

  @Post('closed-dates/:date/reopen')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  reopen(@Param('date') date: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.sender.send(
      date,
      this.sender.commands.closedDate,
      { type: 'ReopenDate', date, reason, at: now() },
      { ...context, reason },
    );
  }

  @Put('weekly-close-days')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  setWeeklyCloseDays(@Body() { mask, reason }: SetWeeklyCloseDaysDto, @Command() context: CommandContext) {
    return this.sender.send(
      'shop',
      this.sender.commands.weeklyCloseDays,
      { type: 'SetWeeklyCloseDays', mask, reason, at: now() },
      { ...context, reason },
    );
  }
}
