import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { hasRole, type Principal } from '@tracershop/auth';
import type { CommandContext } from '@tracershop/command-pipeline';
import { usernameClaimDecider, usernameClaimStreamName } from '@tracershop/domain/identity';
import { Allow, Command, HttpProblem, ReadsProjections } from '@tracershop/platform';
import type { IdentityReadModel } from '@tracershop/projections/web';
import { CUSTOMER_ACCESS_GRANTORS, CUSTOMER_ACCESS_READERS } from '../access-roles';
import { CustomerAccessDto, RevokeCustomerAccessDto } from './identity.dto';
import { IDENTITY_READ_MODEL } from './identity-read-model.provider';
import { IDENTITY_PROJECTION, IdentityService } from './identity.service';
import { CustomerAccessListDto } from './identity-views.dto';

const now = () => new Date().toISOString();
const principalOf = (request: FastifyRequest) => request.principal as Principal;

/**
 * A shop admin gives people access to its customers, and takes it back (rules: ShopAdmin "giving
 * internal users access to their customers"): the customer joins or leaves the person's `shop`
 * role, as an event the shop admin is the actor of. Administrators may do it for any customer.
 */
@ApiTags('identity: customer access')
@Controller('identity/customer-access')
export class CustomerAccessController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(IDENTITY_READ_MODEL) private readonly identities: IdentityReadModel,
  ) {}

  @Get(':customerId')
  @Allow(...CUSTOMER_ACCESS_READERS)
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOperation({ summary: 'The active people with shop or shop-admin access to the customer' })
  @ApiOkResponse({ type: CustomerAccessListDto })
  async list(@Param('customerId') customerId: string, @Req() request: FastifyRequest) {
    const principal = principalOf(request);
    if (!hasRole(principal, 'auditor')) requireCustomerOf(principal, customerId);
    return { customerId, items: await this.identities.customerAccess(customerId) };
  }

  @Post(':customerId')
  @Allow(...CUSTOMER_ACCESS_GRANTORS)
  @HttpCode(200)
  @ApiOkResponse({ description: 'The person is a shop member for the customer; nothing changes if already' })
  async grant(
    @Param('customerId') customerId: string,
    @Body() { username }: CustomerAccessDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    requireCustomerOf(principalOf(request), customerId);
    const userId = await this.userIdOf(username);
    return this.identity.changeUser(userId, { type: 'GrantCustomerAccess', userId, customerId, at: now() }, context);
  }

  @Post(':customerId/revoke')
  @Allow(...CUSTOMER_ACCESS_GRANTORS)
  @HttpCode(200)
  @ApiOkResponse({ description: 'The customer leaves the person’s shop role; the role goes with its last customer' })
  async revoke(
    @Param('customerId') customerId: string,
    @Body() { username, reason }: RevokeCustomerAccessDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    requireCustomerOf(principalOf(request), customerId);
    const userId = await this.userIdOf(username);
    return this.identity.changeUser(
      userId,
      { type: 'RevokeCustomerAccess', userId, customerId, reason, at: now() },
      { ...context, reason },
    );
  }

  /** From the username's claim (the command side), so a person registered a moment ago is found. */
  private async userIdOf(username: string): Promise<string> {
    const claim = await this.identity.load(usernameClaimStreamName(username), usernameClaimDecider);
    if (!claim.userId) throw new HttpProblem(404, 'USER_NOT_FOUND', `No user ${username}`, { username });
    return claim.userId;
  }
}

/** A shop admin acts for its own customers only; another customer is as unknown to it (404). */
function requireCustomerOf(principal: Principal, customerId: string): void {
  if (hasRole(principal, 'admin')) return;
  const own = principal.roles.some((grant) => grant.role === 'shop-admin' && grant.customerIds.includes(customerId));
  if (!own) throw new HttpProblem(404, 'CUSTOMER_NOT_FOUND', `No customer ${customerId}`, { customerId });
}
