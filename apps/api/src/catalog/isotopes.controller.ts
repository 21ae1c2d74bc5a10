import { mintedId } from '@tracershop/command-pipeline';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { IsotopePageDto, IsotopeViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { legacyIdAllocatedByHandler } from './catalog-commands';
import {
  CommandResponseDto,
  ReasonDto,
  RegisterIsotopeDto,
  UpdateIsotopeDto,
  GetQueryDto,
  ListQueryDto,
} from './catalog.dto';

@ApiTags('catalog: isotopes')
@Controller('catalog/isotopes')
export class IsotopesController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: IsotopePageDto })
  list(@Query() query: ListQueryDto) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    return answer(this.readModel.listIsotopes({ limit, ...filters }));
  }

  @Get(':id')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: IsotopeViewDto })
  get(@Param('id') id: string, @Query() _query: GetQueryDto) {
    return answer(this.readModel.getIsotope(id), { code: 'ISOTOPE_NOT_FOUND', id });
  }

  @Post()
  @Allow(...CATALOG_EDITORS)
  @ApiCreatedResponse({ type: CommandResponseDto })
  register(@Body() body: RegisterIsotopeDto, @Command() context: CommandContext) {
    const { id = mintedId(context, 'isotope'), legacyId = legacyIdAllocatedByHandler, ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.isotope,
      { type: 'RegisterIsotope', isotopeId: id, ...details, legacyId, at: now() },
      context,
    );
  }

  @Patch(':id')
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateIsotopeDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    return this.sender.send(
      id,
      this.sender.commands.isotope,
      { type: 'UpdateIsotope', isotopeId: id, changes, reason, at: now() },
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
      this.sender.commands.isotope,
      { type: 'ArchiveIsotope', isotopeId: id, reason, at: now() },
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
      this.sender.commands.isotope,
      { type: 'RestoreIsotope', isotopeId: id, reason, at: now() },
      { ...context, reason },
    );
  }
}
