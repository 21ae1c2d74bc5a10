import { mintedId } from '@tracershop/command-pipeline';
import type { FastifyRequest } from 'fastify';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import { Allow, ApplicationScope, Command, ReadsProjections } from '@tracershop/platform';
import { CustomerPageDto, CustomerViewDto } from './catalog-views.dto';
import { CATALOG_EDITORS, CATALOG_READERS } from '../access-roles';
import { CATALOG_PROJECTION_NAME, type CatalogReadModel } from '@tracershop/projections/record';
import { answer, CATALOG_READ_MODEL } from './catalog-read-model.provider';
import { CatalogCommandSender, now } from './catalog-command-sender';
import { legacyIdAllocatedByHandler } from './catalog-commands';
import { CustomerScope } from './customer-scope';
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
    private readonly scope: CustomerScope,
  ) {}

  @Get()
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: CustomerPageDto })
  async list(@Query() query: ListQueryDto, @Req() request: FastifyRequest) {
    const { minPosition: _minPosition, limit = 50, ...filters } = query;
    const scope = this.scope.of(request);
    // A scoped caller's list is the same list, narrowed to its own customers: filters and paging hold.
    const ids = scope === 'all' ? undefined : [...scope];
    return answer(this.readModel.listCustomers({ limit, ...filters, ids }));
  }

  @Get(':id')
  @Allow(...CATALOG_READERS)
  @ApplicationScope('catalog:read')
  @ReadsProjections(CATALOG_PROJECTION_NAME)
  @ApiOkResponse({ type: CustomerViewDto })
  async get(@Param('id') id: string, @Query() _query: GetQueryDto, @Req() request: FastifyRequest) {
    await this.scope.assertCustomer(request, id);
    return answer(this.readModel.getCustomer(id), { code: 'CUSTOMER_NOT_FOUND', id });
  }

  @Post()
  @Allow(...CATALOG_EDITORS)
  @ApiCreatedResponse({ type: CommandResponseDto })
  register(@Body() body: RegisterCustomerDto, @Command() context: CommandContext) {
    const { id = mintedId(context, 'customer'), legacyId = legacyIdAllocatedByHandler, ...details } = body;
    return this.sender.send(
      id,
      this.sender.commands.customer,
      { type: 'RegisterCustomer', customerId: id, ...details, legacyId, at: now() },
      context,
    );
  }

  @Patch(':id')
  @Allow(...CATALOG_EDITORS)
  @ApiOkResponse({ type: CommandResponseDto })
  update(@Param('id') id: string, @Body() body: UpdateCustomerDto, @Command() context: CommandContext) {
    const { reason, ...changes } = body;
    return this.sender.send(
      id,
      this.sender.commands.customer,
      { type: 'UpdateCustomer', customerId: id, changes, reason, at: now() },
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
      this.sender.commands.customer,
      { type: 'ArchiveCustomer', customerId: id, reason, at: now() },
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
      this.sender.commands.customer,
      { type: 'RestoreCustomer', customerId: id, reason, at: now() },
      { ...context, reason },
    );
  }
}
