import { mintedId } from '@tracershop/command-pipeline';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { ProductionRunPageDto, ProductionRunViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { legacyIdAllocatedByHandler, refsLoadedByHandler } from './catalog-commands';
import {
  CommandResponseDto,
  ReasonDto,
  ScheduleProductionRunDto,
  UpdateProductionRunDto,
  GetQueryDto,
  ProductionRunListQueryDto,
} from './catalog.dto';

@ApiTags('catalog: production runs')
@Controller('catalog/production-runs')
export class ProductionRunsController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: ProductionRunPageDto })
  list(@Query() query: ProductionRunListQueryDto) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    return answer(this.readModel.listProductionRuns({ limit, ...filters }));
  }

  @Get(':id')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: ProductionRunViewDto })
  get(@Param('id') id: string, @Query() _query: GetQueryDto) {
    return answer(this.readModel.getProductionRun(id), { code: 'PRODUCTION_RUN_NOT_FOUND', id });
  }

  @Post()
  @Allow(...CATALOG_EDITORS)
  @ApiCreatedResponse({ type: CommandResponseDto })
  schedule(@Body() body: ScheduleProductionRunDto, @Command() context: CommandContext) {
    const { id = mintedId(context, 'productionRun'), legacyId = legacyIdAllocatedByHandler, ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.productionRun,
      {
        type: 'ScheduleProductionRun',
        productionRunId: id,
        ...details,
        legacyId,
        at: now(),
        refs: refsLoadedByHandler,
      },
      context,
    );
  }

  @Patch(':id')
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateProductionRunDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    return this.sender.send(
      id,
      this.sender.commands.productionRun,
      { type: 'UpdateProductionRun', productionRunId: id, changes, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }

  @Post(':id/archive')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  archive(@Param('id') id: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.sender.send(
      id,
      this.sender.commands.productionRun,
      { type: 'ArchiveProductionRun', productionRunId: id, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }

  @Post(':id/restore')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  restore(@Param('id') id: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.sender.send(
      id,
      this.sender.commands.productionRun,
      { type: 'RestoreProductionRun', productionRunId: id, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }
}
