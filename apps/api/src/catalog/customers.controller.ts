import { randomUUID } from 'node:crypto';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Command, ReadsProjections } from '@tracershop/platform';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import {
  CommandResponseDto,
  ReasonDto,
  RegisterCustomerDto,
  UpdateCustomerDto,
  GetQueryDto,
  ListQueryDto,
} from './catalog.dto';

@ApiTags('catalog: customers')
@Controller('catalog/customers')
export class CustomersController {
  constructor(
    private readonly sender: CatalogCommandSender,
    @Inject(CATALOG_READ_MODEL) private readonly readModel: CatalogReadModel,
  ) {}

  @Get()
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  list(@Query() query: ListQueryDto) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    return answer(this.readModel.listCustomers({ limit, ...filters }));
  }

  @Get(':id')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  get(@Param('id') id: string, @Query() _query: GetQueryDto) {
    return answer(this.readModel.getCustomer(id), { code: 'CUSTOMER_NOT_FOUND', id });
  }

  @Post()
  @ApiCreatedResponse({ type: CommandResponseDto })
  register(@Body() body: RegisterCustomerDto, @Command() context: CommandContext) {
    const { id = randomUUID(), ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.customer,
      { type: 'RegisterCustomer', customerId: id, ...details, at: now() },
      context,
    );
  }

  @Patch(':id')
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() changes: UpdateCustomerDto, @Command() context: CommandContext) {
    return this.sender.send(
      id,
      this.sender.commands.customer,
      { type: 'UpdateCustomer', customerId: id, changes, at: now() },
      context,
    );
  }

  @Post(':id/archive')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  archive(@Param('id') id: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.sender.send(
      id,
      this.sender.commands.customer,
      { type: 'ArchiveCustomer', customerId: id, reason, at: now() },
      { ...context, reason },
    );
  }

  @Post(':id/restore')
  @HttpCode(200)
  @ApiOkResponse({ type: CommandResponseDto })
  restore(@Param('id') id: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.sender.send(
      id,
      this.sender.commands.customer,
      { type: 'RestoreCustomer', customerId: id, reason, at: now() },
      { ...context, reason },
    );
  }
}
