import { mintedId } from '@tracershop/command-pipeline';
import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiTags, ApiOkResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '@tracershop/command-pipeline';
import type { Role, UserCommand } from '@tracershop/domain/identity';
import { Allow, CarriesSecret, Command, HttpProblem, ReadsProjections } from '@tracershop/platform';
import type { IdentityReadModel } from '@tracershop/projections/web';
import { IDENTITY_ADMINS, IDENTITY_READERS } from '../access-roles';
import {
  ChangeUserDetailsDto,
  ConfirmPasswordResetDto,
  GrantReleaseRightDto,
  GrantRoleDto,
  PageQueryDto,
  ReasonDto,
  RegisterUserDto,
  RequestPasswordResetDto,
  WithdrawPasswordResetDto,
} from './identity.dto';
import { IDENTITY_READ_MODEL } from './identity-read-model.provider';
import { IDENTITY_PROJECTION, IdentityService } from './identity.service';
import { legacyIdAllocatedByHandler } from '../legacy-ids/legacy-id-allocator';
import { UserSummaryPageDto, UserViewDto, LoginFailurePageDto } from './identity-views.dto';

const now = () => new Date().toISOString();

@ApiTags('identity: users')
@Controller('identity/users')
export class UsersController {
  constructor(
    private readonly identity: IdentityService,
    @Inject(IDENTITY_READ_MODEL) private readonly identities: IdentityReadModel,
  ) {}

  private send(userId: string, command: UserCommand, context: CommandContext) {
    return this.identity.changeUser(userId, command, context);
  }

  /**
   * The caller verified the person's identity (Part 11 §11.100) and is recorded as the verifier.
   * The account has no password: an administrator requests one, and a second person confirms it.
   */
  @Post()
  @Allow(...IDENTITY_ADMINS)
  register(
    @Body() { id: chosenId, identityVerification, username, printedName, emails }: RegisterUserDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const id = chosenId ?? mintedId(context, 'user');
    const { method, reference } = identityVerification;
    return this.send(
      id,
      {
        type: 'RegisterUser',
        userId: id,
        username,
        printedName,
        emails,
        identityVerification: { method, reference, verifiedBy: request.tracershop.actor.id },
        legacyUserId: legacyIdAllocatedByHandler,
        at: now(),
      },
      context,
    );
  }

  @Get()
  @Allow(...IDENTITY_READERS)
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOkResponse({ type: UserSummaryPageDto })
  list(@Query() { limit = 50, cursor }: PageQueryDto) {
    return this.identities.listUsers({ limit, cursor });
  }

  @Get(':id')
  @Allow(...IDENTITY_READERS)
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOkResponse({ type: UserViewDto })
  async get(@Param('id') id: string, @Query() _query: PageQueryDto) {
    const user = await this.identities.userById(id);
    if (!user) throw new HttpProblem(404, 'USER_NOT_FOUND', `No user ${id}`, { id });
    const { passwordHash: _secret, ...visible } = user;
    return visible;
  }

  @Get(':id/login-failures')
  @Allow(...IDENTITY_READERS)
  @ReadsProjections(IDENTITY_PROJECTION)
  @ApiOkResponse({ type: LoginFailurePageDto })
  loginFailures(@Param('id') id: string, @Query() { limit = 50, cursor }: PageQueryDto) {
    return this.identities.loginFailures(id, { limit, cursor });
  }

  @Patch(':id')
  @Allow(...IDENTITY_ADMINS)
  change(@Param('id') id: string, @Body() changes: ChangeUserDetailsDto, @Command() context: CommandContext) {
    return this.send(id, { type: 'ChangeUserDetails', userId: id, changes, at: now() }, context);
  }

  @Post(':id/roles')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  grantRole(@Param('id') id: string, @Body() grant: GrantRoleDto, @Command() context: CommandContext) {
    return this.send(id, { type: 'GrantRole', userId: id, ...grant, at: now() }, context);
  }

  @Post(':id/roles/:role/revoke')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  revokeRole(
    @Param('id') id: string,
    @Param('role') role: string,
    @Body() { reason }: ReasonDto,
    @Command() context: CommandContext,
  ) {
    return this.send(
      id,
      { type: 'RevokeRole', userId: id, role: role as Role, reason, at: now() },
      { ...context, reason },
    );
  }

  /** The granter is the caller; nobody grants a release right to themselves. */
  @Post(':id/release-rights')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  grantReleaseRight(
    @Param('id') id: string,
    @Body() { tracerId, expiresOn = null }: GrantReleaseRightDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    const grantedBy = request.tracershop.actor.id;
    return this.send(id, { type: 'GrantReleaseRight', userId: id, tracerId, expiresOn, grantedBy, at: now() }, context);
  }

  @Post(':id/release-rights/:tracerId/revoke')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  revokeReleaseRight(
    @Param('id') id: string,
    @Param('tracerId') tracerId: string,
    @Body() { reason }: ReasonDto,
    @Command() context: CommandContext,
  ) {
    return this.send(
      id,
      { type: 'RevokeReleaseRight', userId: id, tracerId, reason, at: now() },
      { ...context, reason },
    );
  }

  /**
   * An administrator's request for a temporary password for someone else, with a reason (Part 11
   * §11.200(a)): 202, in force only once a second person confirms it (`…/password-reset/confirm`).
   * One's own is changed with POST /auth/password.
   */
  @Post(':id/password')
  @Allow(...IDENTITY_ADMINS)
  @CarriesSecret('the new password')
  @HttpCode(202)
  requestPasswordReset(
    @Param('id') id: string,
    @Body() { password, reason }: RequestPasswordResetDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.identity.requestPasswordReset(id, password, request.tracershop.actor.id, reason, context);
  }

  /**
   * A second administrator (neither the requester nor the user) confirms the waiting reset: the
   * password takes effect, the user must replace it at the next login, and their sessions end.
   */
  @Post(':id/password-reset/confirm')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  confirmPasswordReset(
    @Param('id') id: string,
    @Body() { requestId, reason }: ConfirmPasswordResetDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.identity.confirmPasswordReset(id, requestId, request.tracershop.actor.id, { ...context, reason });
  }

  @Post(':id/password-reset/withdraw')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  withdrawPasswordReset(
    @Param('id') id: string,
    @Body() { requestId, reason }: WithdrawPasswordResetDto,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
  ) {
    return this.identity.withdrawPasswordReset(id, requestId, request.tracershop.actor.id, reason, context);
  }

  @Post(':id/deactivate')
  @Allow(...IDENTITY_ADMINS)
  @HttpCode(200)
  deactivate(@Param('id') id: string, @Body() { reason }: ReasonDto, @Command() context: CommandContext) {
    return this.send(id, { type: 'DeactivateUser', userId: id, reason, at: now() }, { ...context, reason });
  }
}
