import { mintedId } from '@tracershop/command-pipeline';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { ServiceEndpointCommand } from '@tracershop/domain/identity';
import { Allow, Command, HttpProblem, ReadsProjections } from '@tracershop/platform';
import type { IdentityReadModel } from '@tracershop/projections/web';
import { IDENTITY_ADMINS } from '../access-roles';
import { ChangeServiceEndpointDto, PageQueryDto, ReasonDto, RegisterServiceEndpointDto } from './identity.dto';
import { IDENTITY_READ_MODEL } from './identity-read-model.provider';
import { IDENTITY_PROJECTION, IdentityService } from './identity.service';
import { ServiceEndpointPageDto, ServiceEndpointViewDto } from './identity-views.dto';

const now = () => new Date().toISOString();

/** Addresses of the integrated services (worklist feed, dispenser share); changes are events too. */
@ApiTags('identity: service endpoints')
@Controller('identity/service-endpoints')
export class ServiceEndpointsController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(IDENTITY_READ_MODEL) private readonly identities: IdentityReadModel,
  ) {}

  private async send(endpointId: string, command: ServiceEndpointCommand, context: CommandContext) {
    return {
      id: endpointId,
      ...(await this.identity.execute(this.identity.commands.serviceEndpoint, command, context)),
    };
  }

  @Post()
  @Allow(...IDENTITY_ADMINS)
  register(@Body() { id: chosenId, ...body }: RegisterServiceEndpointDto, @Command() context: CommandContext) {
    const id = chosenId ?? mintedId(context, 'serviceEndpoint');
    return this.send(id, { type: 'RegisterServiceEndpoint', endpointId: id, ...body, at: now() }, context);
  }

  @Get()
  @Allow('admin', 'production', 'auditor')
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOkResponse({ type: ServiceEndpointPageDto })
  list(@Query() { limit = 50, cursor }: PageQueryDto) {
    return this.identities.listServiceEndpoints({ limit, cursor });
  }

  @Get(':id')
  @Allow('admin', 'production', 'auditor')
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOkResponse({ type: ServiceEndpointViewDto })
  async get(@Param('id') id: string, @Query() _query: PageQueryDto) {
    const endpoint = await this.identities.getServiceEndpoint(id);
    if (!endpoint) throw new HttpProblem(404, 'SERVICE_ENDPOINT_NOT_FOUND', `No service endpoint ${id}`, { id });
    return endpoint;
  }

  @Patch(':id')
  @Allow(...IDENTITY_ADMINS)
  change(@Param('id') id: string, @Body() changes: ChangeServiceEndpointDto, @Command() context: CommandContext) {
    return this.send(id, { type: 'ChangeServiceEndpoint', endpointId: id, changes, at: now() }, context);
  }

  @Post(':id/archive')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  archive(@Param('id') id: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.send(id, { type: 'ArchiveServiceEndpoint', endpointId: id, reason, at: now() }, { ...context, reason });
  }
}
