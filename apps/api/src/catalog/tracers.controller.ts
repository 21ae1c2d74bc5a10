import { mintedId } from '@tracershop/command-pipeline';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { TracerPageDto, TracerViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { legacyIdAllocatedByHandler, refsLoadedByHandler } from './catalog-commands';
import {
  CommandResponseDto,
  ReasonDto,
  RegisterTracerDto,
  UpdateTracerDto,
  GetQueryDto,
  TracerListQueryDto,
} from './catalog.dto';

@ApiTags('catalog: tracers')
@Controller('catalog/tracers')
export class TracersController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: TracerPageDto })
  list(@Query() query: TracerListQueryDto) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    return answer(this.readModel.listTracers({ limit, ...filters }));
  }

  @Get(':id')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: TracerViewDto })
  get(@Param('id') id: string, @Query() _query: GetQueryDto) {
    return answer(this.readModel.getTracer(id), { code: 'TRACER_NOT_FOUND', id });
  }

  @Post()
  @Allow(...CATALOG_EDITORS)
  @ApiCreatedResponse({ type: CommandResponseDto })
  register(@Body() body: RegisterTracerDto, @Command() context: CommandContext) {
    const { id = mintedId(context, 'tracer'), legacyId = legacyIdAllocatedByHandler, ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.tracer,
      { type: 'RegisterTracer', tracerId: id, ...details, legacyId, at: now(), refs: refsLoadedByHandler },
      context,
    );
  }

  @Patch(':id')
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateTracerDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    return this.sender.send(
      id,
      this.sender.commands.tracer,
      { type: 'UpdateTracer', tracerId: id, changes, reason, at: now() },
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
      this.sender.commands.tracer,
      { type: 'ArchiveTracer', tracerId: id, reason, at: now() },
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
      this.sender.commands.tracer,
      { type: 'RestoreTracer', tracerId: id, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }
}
