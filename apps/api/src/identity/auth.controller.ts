import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '@tracershop/auth';
import type { CommandContext } from '@tracershop/command-pipeline';
import { AllowWhilePasswordMustChange, ApplicationScope, CarriesSecret, Command, Public } from '@tracershop/platform';
import { EVERY_ROLE, PEOPLE } from '../access-roles';
import { ChangeOwnPasswordDto, LoginDto } from './identity.dto';
import { IdentityService } from './identity.service';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import { PrincipalDto } from './identity-views.dto';

const principalOf = (request: FastifyRequest) => request.principal as Principal;

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly identity: IdentityService) {}

  /** Answers the session token once, and sets it as an HttpOnly cookie for browsers. */
  @Post('login')
  @Public()
  @CarriesSecret('the password, and the session token in the answer')
  @HttpCode(200)
  async login(
    @Body() { username, password }: LoginDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Command() context: CommandContext,
  ) {
    const result = await this.identity.login(username, password, request.ip, context);
    setSessionCookie(request, reply, result.token, Math.floor((Date.parse(result.expiresAt) - Date.now()) / 1000));
    return result;
  }

  /**
   * Ends the caller's session and clears the cookie. Public, so that a browser holding the cookie
   * of a session that idled out or ended can still clear it (it is HttpOnly): then only the cookie goes.
   */
  @Post('logout')
  @Public()
  @HttpCode(204)
  async logout(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Command() context: CommandContext,
  ) {
    if (request.principal?.kind === 'user') await this.identity.logout(request.principal, context);
    clearSessionCookie(reply);
  }

  @Get('me')
  @AllowWhilePasswordMustChange(...EVERY_ROLE)
  @ApplicationScope('any')
  @ApiOkResponse({ type: PrincipalDto, description: 'The caller: id, kind, names, roles with scopes, release rights' })
  me(@Req() request: FastifyRequest) {
    const { credentialId: _credential, ...principal } = principalOf(request);
    return principal;
  }

  /**
   * Ends every session of the user, this one too: log in again with the new password. The cookie
   * of the ended session is cleared with the answer.
   */
  @Post('password')
  @AllowWhilePasswordMustChange(...PEOPLE)
  @CarriesSecret('the current and the new password')
  @HttpCode(200)
  async changePassword(
    @Body() body: ChangeOwnPasswordDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Command() context: CommandContext,
  ) {
    const result = await this.identity.changeOwnPassword(
      principalOf(request),
      body.currentPassword,
      body.newPassword,
      context,
    );
    clearSessionCookie(reply);
    return { id: principalOf(request).id, ...result };
  }
}
