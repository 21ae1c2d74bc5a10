import { mintedId } from '@tracershop/command-pipeline';
import type { FastifyRequest } from 'fastify';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { DeliveryTimeSlotPageDto, DeliveryTimeSlotViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { CustomerScope } from './customer-scope';
import { legacyIdAllocatedByHandler, refsLoadedByHandler } from './catalog-commands';
import {
  CommandResponseDto,
  ReasonDto,
  ScheduleDeliveryTimeSlotDto,
  UpdateDeliveryTimeSlotDto,
  GetQueryDto,
  DeliveryTimeSlotListQueryDto,
} from './catalog.dto';

@ApiTags('catalog: delivery time slots')
@Controller('catalog/delivery-time-slots')
export class DeliveryTimeSlotsController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
    private readonly scope: CustomerScope,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: DeliveryTimeSlotPageDto })
  async list(@Query() query: DeliveryTimeSlotListQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    this.scope.requireFilter(request, filters.endpointId, 'endpointId');
    if (filters.endpointId) await this.scope.assertEndpoint(request, filters.endpointId);
    return answer(this.readModel.listDeliveryTimeSlots({ limit, ...filters }));
  }

  @Get(':id')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: DeliveryTimeSlotViewDto })
  async get(@Param('id') id: string, @Query() _query: GetQueryDto, @Req() request: FastifyRequest) {
    const slot = await answer(this.readModel.getDeliveryTimeSlot(id), { code: 'DELIVERY_TIME_SLOT_NOT_FOUND', id });
    await this.scope.assertEndpoint(request, slot.endpointId, 'delivery time slot', id);
    return slot;
  }

  @Post()
  @Allow(...CATALOG_EDITORS)
  @ApiCreatedResponse({ type: CommandResponseDto })
  schedule(@Body() body: ScheduleDeliveryTimeSlotDto, @Command() context: CommandContext) {
    const { id = mintedId(context, 'deliveryTimeSlot'), legacyId = legacyIdAllocatedByHandler, ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.deliveryTimeSlot,
      { type: 'ScheduleDeliveryTimeSlot', slotId: id, ...details, legacyId, at: now(), refs: refsLoadedByHandler },
      context,
    );
  }

  @Patch(':id')
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateDeliveryTimeSlotDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    return this.sender.send(
      id,
      this.sender.commands.deliveryTimeSlot,
      { type: 'UpdateDeliveryTimeSlot', slotId: id, changes, reason, at: now(), refs: refsLoadedByHandler },
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
      this.sender.commands.deliveryTimeSlot,
      { type: 'ArchiveDeliveryTimeSlot', slotId: id, reason, at: now() },
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
      this.sender.commands.deliveryTimeSlot,
      { type: 'RestoreDeliveryTimeSlot', slotId: id, reason, at: now(), refs: refsLoadedByHandler },
      { ...context, reason },
    );
  }
}
