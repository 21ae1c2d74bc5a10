import type { FastifyRequest } from 'fastify';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { tracerPermissionId, tracerPermissionStreamName } from '@tracershop/domain/catalog';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { TracerPermissionViewDto, TracerPermissionPageDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { CustomerScope } from './customer-scope';
import { legacyIdAllocatedByHandler, refsLoadedByHandler } from './catalog-commands';
import {
  CommandResponseDto,
  GetQueryDto,
  GrantTracerPermissionDto,
  ReasonDto,
  TracerPermissionListQueryDto,
  UpdateTracerPermissionDto,
} from './catalog.dto';

/** Which endpoint may order which tracer (the "catalogue page"), with its overhead and limits. */
@ApiTags('catalog: tracer permissions')
@Controller('catalog/delivery-endpoints/:endpointId/tracers/:tracerId')
export class TracerPermissionsController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
    private readonly scope: CustomerScope,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: TracerPermissionViewDto })
  async get(
    @Param('endpointId') endpointId: string,
    @Param('tracerId') tracerId: string,
    @Query() _query: GetQueryDto,
    @Req() request: FastifyRequest,
  ) {
    await this.scope.assertEndpoint(request, endpointId, 'tracer permission');
    const id = tracerPermissionId(endpointId, tracerId);
    return answer(this.readModel.getTracerPermission(id), { code: 'TRACER_PERMISSION_NOT_FOUND', id });
  }

  @Put()
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOperation({ summary: 'Let the endpoint order the tracer' })
  @ApiOkResponse({ type: CommandResponseDto })
  grant(
    @Param('endpointId') endpointId: string,
    @Param('tracerId') tracerId: string,
    @Body() body: GrantTracerPermissionDto,
    @Command() context: CommandContext,
  ) {
    const { legacyId = legacyIdAllocatedByHandler, ...details } = body;
    return this.sender.send(
      tracerPermissionStreamName(endpointId, tracerId),
      this.sender.commands.tracerPermission,
      {
        type: 'GrantTracerPermission',
        endpointId,
        tracerId,
        ...details,
        legacyId,
        at: now(),
        refs: refsLoadedByHandler,
      },
      context,
    );
  }

  @Patch()
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(
    @Param('endpointId') endpointId: string,
    @Param('tracerId') tracerId: string,
    @Body() body: UpdateTracerPermissionDto,
    @Command() context: CommandContext,
  ) {
    const { reason, ...changes } = body;
    return this.sender.send(
      tracerPermissionStreamName(endpointId, tracerId),
      this.sender.commands.tracerPermission,
      { type: 'UpdateTracerPermission', endpointId, tracerId, changes, reason, at: now() },
      { ...context, reason },
    );
  }

  @Post('revoke')
  @Allow(...CATALOG_EDITORS)
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  revoke(
    @Param('endpointId') endpointId: string,
    @Param('tracerId') tracerId: string,
    @Body() { reason }: ReasonDto,
    @Command() context: CommandContext,
  ) {
    return this.sender.send(
      tracerPermissionStreamName(endpointId, tracerId),
      this.sender.commands.tracerPermission,
      { type: 'RevokeTracerPermission', endpointId, tracerId, reason, at: now() },
      { ...context, reason },
    );
  }
}

@ApiTags('catalog: tracer permissions')
@Controller('catalog/tracer-permissions')
export class TracerPermissionListController {
  constructor(
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
    private readonly scope: CustomerScope,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: TracerPermissionPageDto })
  async list(@Query() query: TracerPermissionListQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    this.scope.requireFilter(request, filters.endpointId, 'endpointId');
    if (filters.endpointId) await this.scope.assertEndpoint(request, filters.endpointId, 'tracer permission');
    return answer(this.readModel.listTracerPermissions({ limit, ...filters }));
  }
}
