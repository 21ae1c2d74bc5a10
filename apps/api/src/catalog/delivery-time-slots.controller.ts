import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Command, ReadsProjections } from '@tracershop/platform';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { refsLoadedByHandler } from './catalog-commands';
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
  ) {}

  @Get()
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  list(@Query() query: DeliveryTimeSlotListQueryDto) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    return answer(this.readModel.listDeliveryTimeSlots({ limit, ...filters }));
  }

  @Get(':id')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  get(@Param('id') id: string, @Query() _query: GetQueryDto) {
    return answer(this.readModel.getDeliveryTimeSlot(id), { code: 'DELIVERY_TIME_SLOT_NOT_FOUND', id });
  }

  @Post()
  @ApiCreatedResponse({ type: CommandResponseDto })
  schedule(@Body() body: ScheduleDeliveryTimeSlotDto, @Command() context: CommandContext) {
    const { id = randomUUID(), ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.deliveryTimeSlot,
      { type: 'ScheduleDeliveryTimeSlot', slotId: id, ...details, at: now(), refs: refsLoadedByHandler },
      context,
    );
  }

  @Patch(':id')
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() changes: UpdateDeliveryTimeSlotDto, @Command() context: CommandContext) {
    return this.sender.send(
      id,
      this.sender.commands.deliveryTimeSlot,
      { type: 'UpdateDeliveryTimeSlot', slotId: id, changes, at: now(), refs: refsLoadedByHandler },
      context,
    );
  }

  @Post(':id/archive')
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
