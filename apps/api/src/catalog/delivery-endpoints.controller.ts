import { mintedId } from '@tracershop/command-pipeline';
import type { FastifyRequest } from 'fastify';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { DeliveryEndpointPageDto, DeliveryEndpointViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { CustomerScope } from './customer-scope';
import { refsLoadedByHandler } from './catalog-commands';
import {
  CommandResponseDto,
  ReasonDto,
  RegisterDeliveryEndpointDto,
  UpdateDeliveryEndpointDto,
  GetQueryDto,
  DeliveryEndpointListQueryDto,
} from './catalog.dto';

@ApiTags('catalog: delivery endpoints')
@Controller('catalog/delivery-endpoints')
export class DeliveryEndpointsController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
    private readonly scope: CustomerScope,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: DeliveryEndpointPageDto })
  async list(@Query() query: DeliveryEndpointListQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    this.scope.requireFilter(request, filters.customerId, 'customerId');
    if (filters.customerId) await this.scope.assertCustomer(request, filters.customerId);
    return answer(this.readModel.listDeliveryEndpoints({ limit, ...filters }));
  }

  @Get(':id')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: DeliveryEndpointViewDto })
  async get(@Param('id') id: string, @Query() _query: GetQueryDto, @Req() request: FastifyRequest) {
    await this.scope.assertEndpoint(request, id);
    return answer(this.readModel.getDeliveryEndpoint(id), { code: 'DELIVERY_ENDPOINT_NOT_FOUND', id });
  }

  @Post()
  @Allow(...CATALOG_EDITORS)
  @ApiCreatedResponse({ type: CommandResponseDto })
  register(@Body() body: RegisterDeliveryEndpointDto, @Command() context: CommandContext) {
    const { id = mintedId(context, 'deliveryEndpoint'), ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.deliveryEndpoint,
      { type: 'RegisterDeliveryEndpoint', endpointId: id, ...details, at: now(), refs: refsLoadedByHandler },
      context,
    );
  }

  @Patch(':id')
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateDeliveryEndpointDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    return this.sender.send(
      id,
      this.sender.commands.deliveryEndpoint,
      { type: 'UpdateDeliveryEndpoint', endpointId: id, changes, reason, at: now() },
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
      this.sender.commands.deliveryEndpoint,
      { type: 'ArchiveDeliveryEndpoint', endpointId: id, reason, at: now(), refs: refsLoadedByHandler },
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
      this.sender.commands.deliveryEndpoint,
      { type: 'RestoreDeliveryEndpoint', endpointId: id, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }
}
