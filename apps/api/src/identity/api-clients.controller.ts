import { mintedId } from '@tracershop/command-pipeline';
import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiTags, ApiOkResponse } from '@nestjs/swagger';
import { issueToken } from '@tracershop/auth';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { ApiClientCommand } from '@tracershop/domain/identity';
import type Redis from 'ioredis';
import type { TracershopConfig } from '@tracershop/config';
import { Allow, CarriesSecret, Command, ReadsProjections, REDIS, TRACERSHOP_CONFIG } from '@tracershop/platform';
import { tokenLastUsedKey } from './identity-authenticator';
import type { IdentityReadModel } from '@tracershop/projections/web';
import { IDENTITY_ADMINS, IDENTITY_READERS } from '../access-roles';
import { ApiClientScopesDto, IssueApiTokenDto, PageQueryDto, ReasonDto, RegisterApiClientDto } from './identity.dto';
import { IDENTITY_READ_MODEL } from './identity-read-model.provider';
import { IDENTITY_PROJECTION, IdentityService } from './identity.service';
import { ApiClientPageDto } from './identity-views.dto';

const now = () => new Date().toISOString();

/** Machine clients (integrations, telemetry senders) and their API tokens. */
@ApiTags('identity: api clients')
@Controller('identity/api-clients')
export class ApiClientsController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(IDENTITY_READ_MODEL) private readonly identities: IdentityReadModel,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(TRACERSHOP_CONFIG) private readonly config: TracershopConfig,
  ) {}

  /** Token changes take effect before the answer: a new token works, a revoked one is refused at once. */
  private async send(clientId: string, command: ApiClientCommand, context: CommandContext) {
    const result = await this.identity.execute(this.identity.commands.apiClient, command, context);
    await this.identity.visible(result);
    return { id: clientId, ...result };
  }

  @Post()
  @Allow(...IDENTITY_ADMINS)
  register(@Body() { id: chosenId, ...body }: RegisterApiClientDto, @Command() context: CommandContext) {
    const id = chosenId ?? mintedId(context, 'apiClient');
    return this.send(id, { type: 'RegisterApiClient', clientId: id, ...body, at: now() }, context);
  }

  @Get()
  @Allow(...IDENTITY_READERS)
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOkResponse({ type: ApiClientPageDto })
  async list(@Query() { limit = 50, cursor }: PageQueryDto) {
    const page = await this.identities.listApiClients({ limit, cursor });
    const lastUsed = await this.redis.hgetall(tokenLastUsedKey(this.config));
    return {
      ...page,
      items: page.items.map((client) => ({
        ...client,
        tokens: client.tokens.map((token) => ({ ...token, lastUsedAt: lastUsed[token.tokenId] ?? null })),
      })),
    };
  }

  /** In force for its tokens once the answer arrives; the reason and the old scopes are on record. */
  @Post(':id/scopes')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  setScopes(
    @Param('id') clientId: string,
    @Body() { scopes, reason }: ApiClientScopesDto,
    @Command() context: CommandContext,
  ) {
    return this.send(
      clientId,
      { type: 'SetApiClientScopes', clientId, scopes, reason, at: now() },
      { ...context, reason },
    );
  }

  /** The token is in this answer only; the server keeps its hash. It works once the answer arrives. */
  @Post(':id/tokens')
  @Allow(...IDENTITY_ADMINS)
  @CarriesSecret('the API token in the answer')
  async issueToken(
    @Param('id') clientId: string,
    @Body() { name }: IssueApiTokenDto,
    @Command() context: CommandContext,
  ) {
    const token = issueToken('api');
    const result = await this.send(
      clientId,
      { type: 'IssueApiToken', clientId, tokenId: token.id, name, tokenHash: token.hash, at: now() },
      context,
    );
    return { ...result, tokenId: token.id, token: token.token };
  }

  @Post(':id/tokens/:tokenId/revoke')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  revokeToken(
    @Param('id') clientId: string,
    @Param('tokenId') tokenId: string,
    @Body() { reason }: ReasonDto,
    @Command() context: CommandContext,
  ) {
    return this.send(
      clientId,
      { type: 'RevokeApiToken', clientId, tokenId, reason, at: now() },
      { ...context, reason },
    );
  }

  @Post(':id/deactivate')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  deactivate(@Param('id') clientId: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.send(clientId, { type: 'DeactivateApiClient', clientId, reason, at: now() }, { ...context, reason });
  }
}
